import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answerTexts, loadStackEnv, queryDns, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsClient } from './client/powerdns-client.ts';
import { PowerDnsZones } from './powerdns-zones.ts';
import { createDnsTarget } from './target.ts';
import {
  domainRow,
  passContext,
  runTag,
  snapshotOf,
  testCustomerId,
  testDnsConfig,
} from './test-support/fixtures.ts';
import { ToggleProxy } from './test-support/toggle-proxy.ts';

// The cluster's PowerDNS caches answers (packet cache 20 s, query cache 20 s, negative 60 s: its
// defaults, which the platform keeps); the local stack's runs with caching off. This suite starts a
// second, caching pdns_server on the stack's gmysql database (the same zones) and proves that a pass
// leaves nothing stale behind, with only the requests PowerDNS 4.7 needs (pdns/ws-auth.cc):
// - POST /zones purges no cache: a name asked before its zone existed stays REFUSED (the
//   counterfactual below), so the target purges the zones it created (PUT /cache/flush);
// - PATCH and DELETE of a zone purge its caches themselves, so the target sends no flush after them.

const env = loadStackEnv();
const dir = mkdtempSync(path.join(tmpdir(), 'hp-pdns-caching-'));
const apiKey = randomBytes(16).toString('hex');
const customer = testCustomerId(7);
const zone = `${runTag}-cached.example`;
let server: ChildProcess | undefined;
let dnsAddr = '';
let client: PowerDnsClient;
let target: ReturnType<typeof createDnsTarget>;

beforeAll(async () => {
  if (!env.PDNS_DATABASE_URL) throw new Error('PDNS_DATABASE_URL is not set: bring the stack up');
  const db = new URL(env.PDNS_DATABASE_URL);
  const dnsPort = await ToggleProxy.closedPort();
  const apiPort = await ToggleProxy.closedPort();
  const conf = [
    'daemon=no',
    'guardian=no',
    'write-pid=no',
    'disable-syslog=yes',
    'loglevel=3',
    `socket-dir=${dir}`,
    'local-address=127.0.0.1',
    `local-port=${dnsPort}`,
    'launch=gmysql',
    `gmysql-host=${db.hostname}`,
    `gmysql-port=${db.port}`,
    `gmysql-dbname=${db.pathname.slice(1)}`,
    `gmysql-user=${decodeURIComponent(db.username)}`,
    `gmysql-password=${decodeURIComponent(db.password)}`,
    'gmysql-dnssec=yes',
    'api=yes',
    `api-key=${apiKey}`,
    'webserver=yes',
    'webserver-address=127.0.0.1',
    `webserver-port=${apiPort}`,
    'webserver-allow-from=127.0.0.1/32',
    'default-api-rectify=yes',
    // PowerDNS's own defaults, as in the cluster (the platform renderer's cacheTtl defaults).
    'cache-ttl=20',
    'query-cache-ttl=20',
    'negquery-cache-ttl=60',
  ];
  writeFileSync(path.join(dir, 'pdns.conf'), `${conf.join('\n')}\n`, { mode: 0o600 });
  server = spawn('/usr/sbin/pdns_server', [`--config-dir=${dir}`], { stdio: 'ignore' });
  dnsAddr = `127.0.0.1:${dnsPort}`;
  client = new PowerDnsClient({ apiUrl: `http://127.0.0.1:${apiPort}`, apiKey, timeoutMs: 30_000 });
  await waitFor('the caching PowerDNS to answer its API', () => ping(apiPort), { timeoutMs: 30_000 });
  target = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
});

async function ping(apiPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/servers/localhost`, {
      headers: { 'X-API-Key': apiKey },
    });
    return res.ok;
  } catch {
    return false;
  }
}

afterAll(async () => {
  if (target) await target.run(snapshotOf(customer, [], { deleting: true }), passContext());
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const rcode = async (name: string) => (await queryDns(dnsAddr, name, 'A')).rcode;

describe('DNS answers follow a pass at once on a caching PowerDNS', () => {
  it('POST /zones alone leaves an answer cached before the zone existed (why the target purges)', async () => {
    const direct = `${runTag}-direct.example`;
    expect(await rcode(direct)).toBe('REFUSED');
    await client.createZone({
      name: direct,
      kind: 'Native',
      account: 'hostplane-test-direct',
      soa_edit_api: 'DEFAULT',
      api_rectify: true,
      dnssec: false,
      nameservers: ['ns1.hostplane.test.'],
      rrsets: [],
    });
    try {
      // Still the cached REFUSED: PowerDNS 4.7's POST adds the zone to its zone cache only.
      expect(await rcode(direct)).toBe('REFUSED');
      await client.flushCache(direct);
      expect(await rcode(direct)).toBe('NOERROR');
    } finally {
      await client.deleteZone(direct);
    }
  });

  it('a zone asked before it existed answers right after the pass that creates it', async () => {
    expect(await rcode(zone)).toBe('REFUSED');
    client.resetCounts();
    const outcome = await target.run(snapshotOf(customer, [domainRow(zone)]), passContext());
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(await answerTexts(dnsAddr, zone, 'A')).toEqual(['192.0.2.10']);
    expect(client.counts.PUT).toBe(1);
  });

  it('a record changed by a pass answers at once, with no flush (PATCH purges)', async () => {
    const name = `app.${zone}`;
    for (const ip of ['198.51.100.7', '198.51.100.8']) {
      const row = domainRow(zone, { records: [{ name, type: 'A', ttl: 60, records: [ip] }] });
      client.resetCounts();
      const outcome = await target.run(snapshotOf(customer, [row]), passContext());
      expect(outcome).toMatchObject({ status: 'True', changes: 1 });
      expect(client.counts).toMatchObject({ PATCH: 1, PUT: 0 });
      expect(await answerTexts(dnsAddr, name, 'A')).toEqual([ip]);
    }
  });

  it('a zone dropped by a pass stops answering at once, with no flush (DELETE purges)', async () => {
    expect(await answerTexts(dnsAddr, zone, 'A')).toEqual(['192.0.2.10']);
    client.resetCounts();
    const outcome = await target.run(snapshotOf(customer, []), passContext());
    expect(outcome).toMatchObject({ status: 'True', changes: 1 });
    expect(client.counts).toMatchObject({ DELETE: 1, PUT: 0 });
    expect(await rcode(zone)).toBe('REFUSED');
  });
});
