import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderPdnsConf } from '@hostplane/platform';
import mysql from 'mysql2/promise';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { dnsAnswers } from '../probes.ts';
import { writeFileIfChanged } from '../state.ts';
import { chownTree, ensureServiceUser } from '../users.ts';
import { PDNS_DB, PDNS_DB_USER } from './mariadb.ts';

// PowerDNS Authoritative (Debian's `pdns-server` + `pdns-backend-mysql`) on the `pdns` database,
// configured by the platform's renderer (the same text the dns-system ConfigMap ships), run in the
// foreground as `hostplane-pdns` with its config folder inside the state folder.

const NAME = 'pdns';
const SERVICE_USER = 'hostplane-pdns';
const SCHEMA_FILE = '/usr/share/pdns-backend-mysql/schema/schema.mysql.sql';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return { root, run: path.join(root, 'run'), conf: path.join(root, 'pdns.conf') };
}

export function pdnsApiUrl(ctx: StackContext): string {
  return `http://${STACK_HOST}:${ctx.ports.pdnsApi}`;
}

export function renderLocalPdnsConf(ctx: StackContext): string {
  return renderPdnsConf({
    dnsAddresses: [STACK_HOST],
    dnsPort: ctx.ports.pdnsDns,
    api: {
      key: ctx.secrets.pdnsApiKey,
      address: STACK_HOST,
      port: ctx.ports.pdnsApi,
      allowFrom: ['127.0.0.1/32'],
    },
    mysql: {
      host: STACK_HOST,
      port: ctx.ports.mariadb,
      dbname: PDNS_DB,
      user: PDNS_DB_USER,
      password: ctx.secrets.pdnsDbPassword,
    },
    socketDir: dirs(ctx).run,
    // No caching locally: tests read a record right after writing it (see the renderer's cacheTtl).
    cacheTtl: { packet: 0, query: 0, negative: 0 },
  });
}

/** Loads Debian's gmysql schema into the `pdns` database unless its tables are there already. */
async function ensureSchema(ctx: StackContext): Promise<void> {
  if (!existsSync(SCHEMA_FILE))
    throw new Error(`${SCHEMA_FILE} is missing; run: npm run setup (pdns-backend-mysql)`);
  const conn = await mysql.createConnection({
    host: STACK_HOST,
    port: ctx.ports.mariadb,
    user: PDNS_DB_USER,
    password: ctx.secrets.pdnsDbPassword,
    database: PDNS_DB,
    multipleStatements: true,
  });
  try {
    const [tables] = await conn.query("SHOW TABLES LIKE 'domains'");
    if ((tables as unknown[]).length > 0) return;
    ctx.say(`  pdns: loading ${SCHEMA_FILE}`);
    await conn.query(readFileSync(SCHEMA_FILE, 'utf8'));
  } finally {
    await conn.end();
  }
}

async function apiAnswers(ctx: StackContext): Promise<boolean> {
  try {
    const response = await fetch(`${pdnsApiUrl(ctx)}/api/v1/servers/localhost`, {
      headers: { 'X-API-Key': ctx.secrets.pdnsApiKey },
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as { daemon_type?: string };
    return body.daemon_type === 'authoritative';
  } catch {
    return false;
  }
}

export const pdns: Component = {
  name: NAME,
  dependsOn: ['mariadb'],
  async prepare(ctx) {
    const d = dirs(ctx);
    const ids = await ensureServiceUser(SERVICE_USER);
    mkdirSync(d.run, { recursive: true, mode: 0o750 });
    writeFileIfChanged(d.conf, renderLocalPdnsConf(ctx), 0o600);
    await chownTree(d.root, ids);
    await ensureSchema(ctx);
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: '/usr/sbin/pdns_server',
        args: [`--config-dir=${dirs(ctx).root}`, '--guardian=no', '--daemon=no', '--write-pid=no'],
        user: SERVICE_USER,
      },
    ];
  },
  async healthy(ctx) {
    if (!(await apiAnswers(ctx))) return false;
    return dnsAnswers(STACK_HOST, ctx.ports.pdnsDns);
  },
  address(ctx) {
    return `dns ${STACK_HOST}:${ctx.ports.pdnsDns} (udp+tcp), api ${pdnsApiUrl(ctx)}`;
  },
};
