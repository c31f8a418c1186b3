import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { renderRecursorConf, renderRootHints } from '@hostplane/platform';
import type { Component, StackContext } from '../component.ts';
import { REGISTRY_DNS_HOST, STACK_HOST } from '../ports.ts';
import { dnsAnswers } from '../probes.ts';
import { writeFileIfChanged } from '../state.ts';
import { chownTree, ensureServiceUser, run, runningAsRoot } from '../users.ts';
import { REGISTRY_NAMESERVER } from './registry.ts';

// PowerDNS Recursor (Debian's `pdns-recursor`): the resolver of the local internet
// (DNS_RESOLVER_ADDR). Its root hints name the registry as the only root server, so it resolves
// from the root down, following delegations to port 53, like any resolver on the internet. The
// platform's verification and TLS gate ask it, never the platform's own authoritative server.

const NAME = 'recursor';
const SERVICE_USER = 'hostplane-pdns';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return {
    root,
    run: path.join(root, 'run'),
    conf: path.join(root, 'recursor.conf'),
    hints: path.join(root, 'root.hints'),
  };
}

export function resolverAddress(ctx: StackContext): string {
  return `${STACK_HOST}:${ctx.ports.resolver}`;
}

export function renderLocalRecursorConf(ctx: StackContext): string {
  const d = dirs(ctx);
  return renderRecursorConf({
    listenAddresses: [STACK_HOST],
    port: ctx.ports.resolver,
    allowFrom: ['127.0.0.0/8'],
    dontQuery: [], // everything of the local internet is on loopback
    hintFile: d.hints,
    dnssec: 'process-no-validate', // the local root is unsigned
    // One second: a test that writes a delegation sees it on its next query.
    maxCacheTtl: 1,
    maxNegativeTtl: 1,
    packetCache: false,
    threads: 1,
    socketDir: d.run,
  });
}

/** A name the resolver can only answer by walking root → test. → the platform's zone. */
function probeName(): string {
  return REGISTRY_NAMESERVER;
}

async function resolves(ctx: StackContext): Promise<boolean> {
  try {
    const out = await run('dig', [
      `@${STACK_HOST}`,
      '-p',
      String(ctx.ports.resolver),
      '+short',
      '+time=2',
      '+tries=1',
      probeName(),
      'A',
    ]);
    return out.trim().split('\n').includes(REGISTRY_DNS_HOST);
  } catch {
    return false;
  }
}

export const recursor: Component = {
  name: NAME,
  // Not on pdns: the platform's server is only asked at query time (and pdns stays a leaf).
  dependsOn: ['registry'],
  async prepare(ctx) {
    const d = dirs(ctx);
    const ids = await ensureServiceUser(SERVICE_USER);
    mkdirSync(d.run, { recursive: true, mode: 0o750 });
    writeFileIfChanged(d.conf, renderLocalRecursorConf(ctx), 0o644);
    writeFileIfChanged(d.hints, renderRootHints([{ name: REGISTRY_NAMESERVER, ipv4: [REGISTRY_DNS_HOST] }]));
    await chownTree(d.root, ids);
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: '/usr/sbin/pdns_recursor',
        args: [`--config-dir=${dirs(ctx).root}`, '--daemon=no', '--write-pid=no'],
        user: SERVICE_USER,
      },
    ];
  },
  // Without root the registry and the platform have no port 53, so nothing resolves from the root:
  // the resolver then only has to answer (tests of the local internet need a root stack).
  healthy: (ctx) => (runningAsRoot() ? resolves(ctx) : dnsAnswers(STACK_HOST, ctx.ports.resolver)),
  address(ctx) {
    return `${resolverAddress(ctx)} (udp+tcp; root ${REGISTRY_NAMESERVER} ${REGISTRY_DNS_HOST}:53)`;
  },
};
