import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { writeFileIfChanged } from '../state.ts';
import { probe, probeOk } from './kube-access.ts';
import { ensureKubePki, kubePki } from './kube-pki.ts';

// Pebble, Let's Encrypt's ACME test server, built from its Go module (go-programs.ts): the stack's
// ACME CA. Its HTTPS listener has a certificate of the stack PKI; it validates HTTP-01 on the edge's
// web port and TLS-ALPN-01 on its websecure port, and resolves names through the stack's DNS. It makes
// a new root at every start: its health check writes the running one to `pebble/root.pem` (ACME_ROOT_CA).

const NAME = 'pebble';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return { root, config: path.join(root, 'pebble.json'), rootCa: path.join(root, 'root.pem') };
}

export function pebbleDirectoryUrl(ctx: StackContext): string {
  return `https://${STACK_HOST}:${ctx.ports.pebble}/dir`;
}

/** ACME_ROOT_CA: the root of the running Pebble (PEM). */
export function acmeRootCaPath(stateDir: string): string {
  return path.join(stateDir, NAME, 'root.pem');
}

/** The DNS server Pebble asks for the A/AAAA/TXT/CAA records it validates against (host:port). */
export function pebbleDnsServer(ctx: StackContext): string {
  return `${STACK_HOST}:${ctx.ports.pdnsDns}`;
}

/** Pebble's JSON configuration (pure). */
export function renderPebbleConfig(ctx: StackContext): string {
  const pki = kubePki(ctx.stateDir).cert(NAME);
  const config = {
    pebble: {
      listenAddress: `${STACK_HOST}:${ctx.ports.pebble}`,
      managementListenAddress: `${STACK_HOST}:${ctx.ports.pebbleManagement}`,
      certificate: pki.cert,
      privateKey: pki.key,
      // Where the validation authority connects: the edge's entry points (DESIGN.md §9 local internet).
      httpPort: ctx.ports.edgeHttp,
      tlsPort: ctx.ports.edgeHttps,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      domainBlocklist: ['blocked.invalid'],
      retryAfter: { authz: 1, order: 1 },
      keyAlgorithm: 'ecdsa',
      profiles: { default: { description: 'the local stack', validityPeriod: 7_776_000 } },
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export const pebble: Component = {
  name: NAME,
  // DNS is asked at validation time only (the stack's PowerDNS is a leaf the tests restart on its own).
  dependsOn: [],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(dirs(ctx).root, { recursive: true, mode: 0o750 });
    writeFileIfChanged(dirs(ctx).config, renderPebbleConfig(ctx), 0o600);
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: ctx.binaries.pebble,
        args: ['-config', dirs(ctx).config, '-dnsserver', pebbleDnsServer(ctx)],
        env: {
          // No random 0–15 s sleep before each validation, no deliberately rejected nonces: tests
          // measure the real flow, not Pebble's chaos settings.
          PEBBLE_VA_NOSLEEP: '1',
          PEBBLE_WFE_NONCEREJECT: '0',
        },
      },
    ];
  },
  async healthy(ctx) {
    if (!(await probeOk(ctx.stateDir, pebbleDirectoryUrl(ctx), /"newNonce"/))) return false;
    // Pebble makes a new root at every start: ACME_ROOT_CA must be the running one, so the check
    // (re)writes it whenever it differs. The stack PKI vouches for the management listener.
    const { status, body } = await probe(
      ctx.stateDir,
      `https://${STACK_HOST}:${ctx.ports.pebbleManagement}/roots/0`,
    );
    if (status !== 200 || !body.includes('-----BEGIN CERTIFICATE-----')) return false;
    const file = dirs(ctx).rootCa;
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== body) {
      await writeFile(`${file}.tmp`, body, { mode: 0o644 });
      await rename(`${file}.tmp`, file);
    }
    return true;
  },
  address(ctx) {
    return `acme ${pebbleDirectoryUrl(ctx)}, roots https://${STACK_HOST}:${ctx.ports.pebbleManagement}/roots/0`;
  },
};
