import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ACME_TSIG_KEY_NAME,
  parsePlatformConfig,
  renderAcmeUpdatePolicy,
  renderPdnsConf,
} from '@hostplane/platform';
import mysql from 'mysql2/promise';
import type { Component, StackContext } from '../component.ts';
import { PLATFORM_DNS_HOST, STACK_HOST, STANDARD_DNS_PORT } from '../ports.ts';
import { dnsAnswers } from '../probes.ts';
import { writeFileIfChanged } from '../state.ts';
import { chownTree, ensureServiceUser, runningAsRoot } from '../users.ts';
import { PDNS_DB, PDNS_DB_USER } from './mariadb.ts';
import { ensureZone, type SeedZone } from './pdns-api.ts';

// PowerDNS Authoritative (Debian's `pdns-server` + `pdns-backend-mysql`) on a gmysql database,
// configured by the platform's renderer (the same text the dns-system ConfigMap ships), run in the
// foreground with its config folder inside the state folder. Two instances use this: the platform's
// own server (`pdns`) and the TLD registry of the local internet (`registry`, registry.ts).
// As root, each starts as root to bind port 53 of its own loopback address and then drops to its
// service user (PowerDNS' setuid/setgid); otherwise it runs as the caller on its high port only.

const SERVICE_USER = 'hostplane-pdns';
const SCHEMA_FILE = '/usr/share/pdns-backend-mysql/schema/schema.mysql.sql';

export interface AuthoritativeSpec {
  name: string;
  database: string;
  dnsPort: (ctx: StackContext) => number;
  apiPort: (ctx: StackContext) => number;
  apiKey: (ctx: StackContext) => string;
  /** The address that answers on port 53 for the local internet's resolver. */
  publicAddress: string;
  dependsOn: string[];
  /** PowerDNS's zone-cache refresh (s): how soon a zone another server wrote into the same database is
   * served here. Unset: PowerDNS's default (300 s). */
  zoneCacheRefreshSeconds?: number;
  /** Zones the stack itself keeps on this server (seeded after every healthy start). */
  seedZones?: (ctx: StackContext) => SeedZone[];
  /** Takes the edge's ACME DNS-01 updates (RFC 2136, TSIG key `hostplane-acme`, update policy). */
  acmeUpdates?: boolean;
}

function dirs(ctx: StackContext, name: string) {
  const root = path.join(ctx.stateDir, name);
  return {
    root,
    run: path.join(root, 'run'),
    conf: path.join(root, 'pdns.conf'),
    updatePolicy: path.join(root, 'acme-update-policy.lua'),
  };
}

/** The TSIG key the edge signs its DNS-01 updates with (secret derived from the stack's API key). */
export function acmeTsigKey(ctx: Pick<StackContext, 'secrets'>): {
  name: string;
  algorithm: string;
  secret: string;
} {
  return acmeTsigKeyFor(ctx.secrets.pdnsApiKey);
}

/** Same, from the stack's PDNS_API_KEY (what `stack env` gives a test). */
export function acmeTsigKeyFor(pdnsApiKey: string): { name: string; algorithm: string; secret: string } {
  const secret = createHmac('sha256', pdnsApiKey).update('hostplane-acme tsig').digest('base64');
  return { name: ACME_TSIG_KEY_NAME, algorithm: 'hmac-sha256', secret };
}

/** The ACME TSIG key in PowerDNS's key store (tsigkeys), created or corrected through the API. */
async function ensureTsigKey(spec: AuthoritativeSpec, ctx: StackContext): Promise<void> {
  const key = acmeTsigKey(ctx);
  const base = `${apiUrlOf(spec, ctx)}/api/v1/servers/localhost/tsigkeys`;
  const headers = { 'X-API-Key': spec.apiKey(ctx), 'content-type': 'application/json' };
  const found = await fetch(`${base}/${key.name}.`, { headers, signal: AbortSignal.timeout(5_000) });
  if (found.ok) {
    const body = (await found.json()) as { key?: string };
    if (body.key === key.secret) return;
    const put = await fetch(`${base}/${key.name}.`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ key: key.secret, algorithm: key.algorithm }),
    });
    if (!put.ok) throw new Error(`pdns: updating TSIG key ${key.name}: ${put.status} ${await put.text()}`);
    return;
  }
  const created = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: key.name, algorithm: key.algorithm, key: key.secret }),
  });
  if (!created.ok)
    throw new Error(`pdns: creating TSIG key ${key.name}: ${created.status} ${await created.text()}`);
}

function apiUrlOf(spec: AuthoritativeSpec, ctx: StackContext): string {
  return `http://${STACK_HOST}:${spec.apiPort(ctx)}`;
}

export function renderAuthoritativeConf(spec: AuthoritativeSpec, ctx: StackContext): string {
  const root = runningAsRoot();
  return renderPdnsConf({
    // Port 53 needs root: without it the server keeps its high port only (no local internet).
    dnsAddresses: root ? [STACK_HOST, `${spec.publicAddress}:${STANDARD_DNS_PORT}`] : [STACK_HOST],
    dnsPort: spec.dnsPort(ctx),
    ...(root ? { runAs: { user: SERVICE_USER, group: SERVICE_USER } } : {}),
    api: {
      key: spec.apiKey(ctx),
      address: STACK_HOST,
      port: spec.apiPort(ctx),
      allowFrom: ['127.0.0.1/32'],
    },
    mysql: {
      host: STACK_HOST,
      port: ctx.ports.mariadb,
      dbname: spec.database,
      user: PDNS_DB_USER,
      password: ctx.secrets.pdnsDbPassword,
    },
    socketDir: dirs(ctx, spec.name).run,
    // No caching locally: tests read a record right after writing it (see the renderer's cacheTtl).
    cacheTtl: { packet: 0, query: 0, negative: 0 },
    ...(spec.zoneCacheRefreshSeconds !== undefined
      ? { zoneCacheRefreshSeconds: spec.zoneCacheRefreshSeconds }
      : {}),
    ...(spec.acmeUpdates ? { dnsUpdate: { policyScript: dirs(ctx, spec.name).updatePolicy } } : {}),
  });
}

/** Loads Debian's gmysql schema into the database unless its tables are there already. */
async function ensureSchema(ctx: StackContext, spec: AuthoritativeSpec): Promise<void> {
  if (!existsSync(SCHEMA_FILE))
    throw new Error(`${SCHEMA_FILE} is missing; run: npm run setup (pdns-backend-mysql)`);
  const conn = await mysql.createConnection({
    host: STACK_HOST,
    port: ctx.ports.mariadb,
    user: PDNS_DB_USER,
    password: ctx.secrets.pdnsDbPassword,
    database: spec.database,
    multipleStatements: true,
  });
  try {
    const [tables] = await conn.query("SHOW TABLES LIKE 'domains'");
    if ((tables as unknown[]).length > 0) return;
    ctx.say(`  ${spec.name}: loading ${SCHEMA_FILE}`);
    await conn.query(readFileSync(SCHEMA_FILE, 'utf8'));
  } finally {
    await conn.end();
  }
}

async function apiAnswers(spec: AuthoritativeSpec, ctx: StackContext): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrlOf(spec, ctx)}/api/v1/servers/localhost`, {
      headers: { 'X-API-Key': spec.apiKey(ctx) },
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as { daemon_type?: string };
    return body.daemon_type === 'authoritative';
  } catch {
    return false;
  }
}

/** A stack component running one PowerDNS Authoritative server. */
export function authoritativeComponent(spec: AuthoritativeSpec): Component {
  return {
    name: spec.name,
    dependsOn: spec.dependsOn,
    async prepare(ctx) {
      const d = dirs(ctx, spec.name);
      const ids = await ensureServiceUser(SERVICE_USER);
      mkdirSync(d.run, { recursive: true, mode: 0o750 });
      writeFileIfChanged(d.conf, renderAuthoritativeConf(spec, ctx), 0o600);
      if (spec.acmeUpdates)
        writeFileIfChanged(d.updatePolicy, renderAcmeUpdatePolicy(ACME_TSIG_KEY_NAME), 0o644);
      await chownTree(d.root, ids);
      await ensureSchema(ctx, spec);
    },
    processes(ctx) {
      return [
        {
          name: spec.name,
          command: '/usr/sbin/pdns_server',
          args: [
            `--config-dir=${dirs(ctx, spec.name).root}`,
            '--guardian=no',
            '--daemon=no',
            '--write-pid=no',
          ],
          // As root PowerDNS binds port 53 first and drops privileges itself (setuid in pdns.conf).
          ...(runningAsRoot() ? {} : { user: SERVICE_USER }),
        },
      ];
    },
    async healthy(ctx) {
      if (!(await apiAnswers(spec, ctx))) return false;
      if (!(await dnsAnswers(STACK_HOST, spec.dnsPort(ctx)))) return false;
      return !runningAsRoot() || dnsAnswers(spec.publicAddress, STANDARD_DNS_PORT);
    },
    async afterHealthy(ctx) {
      if (spec.acmeUpdates) await ensureTsigKey(spec, ctx);
      for (const zone of spec.seedZones?.(ctx) ?? []) {
        await ensureZone(apiUrlOf(spec, ctx), spec.apiKey(ctx), zone);
      }
    },
    address(ctx) {
      const pub = runningAsRoot() ? ` and ${spec.publicAddress}:${STANDARD_DNS_PORT}` : '';
      return `dns ${STACK_HOST}:${spec.dnsPort(ctx)}${pub} (udp+tcp), api ${apiUrlOf(spec, ctx)}`;
    },
  };
}

/** The platform's names as the stack's default platform config states them. */
export function localPlatformNames() {
  const config = parsePlatformConfig({});
  return {
    zone: config.platformDomains.zone,
    panelHost: config.platformDomains.panelHost,
    nameservers: config.dns.nameservers,
    mailHost: config.dns.mail?.host ?? `mail.${config.platformDomains.zone}`,
    soaContact: config.dns.soa.contact.replace('@', '.'),
  };
}

const abs = (name: string) => `${name}.`;

/** The platform zone on the platform's server: its name servers, mail and panel hosts. */
function platformZone(): SeedZone {
  const names = localPlatformNames();
  const hosts: Array<[string, string]> = [
    ...names.nameservers.map((ns): [string, string] => [ns, PLATFORM_DNS_HOST]),
    [names.mailHost, STACK_HOST],
    [names.panelHost, STACK_HOST],
  ];
  return {
    name: abs(names.zone),
    account: 'hostplane:platform',
    rrsets: [
      {
        name: abs(names.zone),
        type: 'SOA',
        ttl: 3600,
        records: [
          `${abs(names.nameservers[0] ?? names.zone)} ${abs(names.soaContact)} 1 10800 3600 604800 60`,
        ],
      },
      { name: abs(names.zone), type: 'NS', ttl: 3600, records: names.nameservers.map(abs) },
      ...hosts
        .filter(([host]) => host.endsWith(`.${names.zone}`))
        .map(([host, ip]) => ({ name: abs(host), type: 'A', ttl: 60, records: [ip] })),
    ],
  };
}

export const PLATFORM_DNS_SPEC: AuthoritativeSpec = {
  name: 'pdns',
  database: PDNS_DB,
  dnsPort: (ctx) => ctx.ports.pdnsDns,
  apiPort: (ctx) => ctx.ports.pdnsApi,
  apiKey: (ctx) => ctx.secrets.pdnsApiKey,
  publicAddress: PLATFORM_DNS_HOST,
  dependsOn: ['mariadb'],
  seedZones: () => [platformZone()],
  acmeUpdates: true,
  // After `bootstrap --local`, dns-system's PowerDNS writes the customers' zones into this server's
  // database: this server (where the local internet's delegations and Pebble's lookups arrive) serves
  // them within 10 s, as the cluster's second replica does.
  zoneCacheRefreshSeconds: 10,
};

export function pdnsApiUrl(ctx: StackContext): string {
  return apiUrlOf(PLATFORM_DNS_SPEC, ctx);
}

export function renderLocalPdnsConf(ctx: StackContext): string {
  return renderAuthoritativeConf(PLATFORM_DNS_SPEC, ctx);
}

export const pdns: Component = authoritativeComponent(PLATFORM_DNS_SPEC);
