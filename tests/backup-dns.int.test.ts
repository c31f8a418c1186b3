// DNS zones in customer backups (issue 15): a customer's zone (its rrsets as the panel stores them and,
// signed, its DNSSEC keys from PowerDNS's API) is exported by the Backup target into the stack's S3
// store when Velero picks a backup up; the customer deletes a record and re-signs the zone (new keys);
// a restore of the backup writes the rows back, the DNS target publishes them, and the backup's keys
// are back in PowerDNS: `dig` against the stack's PowerDNS answers the deleted record again and the
// zone's DNSKEY is the backup's. A backup whose DNS part fails (its bucket does not exist) holds its
// status back and turns the Backup condition False with DnsPartFailed.
// Real PowerDNS, S3 (versitygw), PostgreSQL and apiserver; Velero's status is written the way its
// server would (merge patch, field manager velero-server) since no Velero controller runs on kwok.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { backupJobLedger, loadCustomerSnapshot, zoneRowLedger } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { createBackupTarget, ZoneArchive } from '@hostplane/provisioner-backup';
import { PowerDnsClient, PowerDnsZoneKeys } from '@hostplane/provisioner-dns';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from '../apps/api/src/testing/harness.ts';
import { dnsTarget, env, passContext, runTag } from '../packages/provisioner-mail/src/test-support/stack.ts';

const NS = 'backup-system';
const FIRST_ID = 760_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-bd.test`;
const shop = `shop.${domain}`; // a name the platform publishes nothing at
const prefix = `customer-dns-${runTag}`;
const store = new S3ObjectStore(objectStoreSettingsFromEnv(env));
const keys = new PowerDnsZoneKeys(new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY }));
const dns = dnsTarget();
const run = promisify(execFile);

let api: TestApi;
let c: TestCustomer;
let admin: KubeHttpClient;
let backupTarget: ReturnType<typeof createBackupTarget>;
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload?: object) =>
  api.app.inject({
    method,
    url: `/api/v1/customers/${c.id}/${path}`,
    headers: bearer(api.adminToken),
    ...(payload ? { payload } : {}),
  });

async function snapshot(): Promise<CustomerSnapshot> {
  const s = await loadCustomerSnapshot(api.db, c.id);
  if (!s) throw new Error('customer vanished');
  return s;
}

async function veleroSays(kind: typeof KINDS.Backup | typeof KINDS.Restore, name: string, status: object) {
  await admin.patchMerge(kind, NS, name, { status }, 'velero-server');
}

/** `dig +short` against the stack's PowerDNS. */
async function dig(name: string, type: string): Promise<string[]> {
  const at = env.PDNS_DNS_ADDR.lastIndexOf(':');
  const { stdout } = await run('dig', [
    `@${env.PDNS_DNS_ADDR.slice(0, at)}`,
    '-p',
    env.PDNS_DNS_ADDR.slice(at + 1),
    '+short',
    '+norecurse',
    name,
    type,
  ]);
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort();
}

/** DNSKEY contents as dig prints them, base64 joined (dig splits long keys with spaces). */
const dnskeys = async () =>
  (await dig(domain, 'DNSKEY')).map((l) => {
    const [flags, proto, alg, ...b64] = l.split(' ');
    return `${flags} ${proto} ${alg} ${b64.join('')}`;
  });

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** One reconcile pass of the two targets this test runs, as the worker runs them side by side. */
async function pass() {
  const s = await snapshot();
  const [d, b] = await Promise.all([dns.run(s, passContext()), backupTarget.run(s, passContext())]);
  return { dns: d, backup: b };
}

beforeAll(async () => {
  api = await startTestApi();
  await sql`alter table customers alter column id restart with ${sql.lit(FIRST_ID)}`.execute(api.db);
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  if (!(await admin.get(KINDS.Namespace, null, NS)))
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: {} } });
  backupTarget = createBackupTarget({
    kube: admin,
    ledger: backupJobLedger(api.db),
    dns: new ZoneArchive({ store, keys, rows: zoneRowLedger(api.db), prefix }),
  });
  c = await createCustomer(api, (await createPlan(api, { domains: 1 })).id);
  const created = await call('POST', 'domains', { name: domain, dnssec: true });
  expect(created.statusCode, created.body).toBe(201);
  const verified = await call('POST', `domains/${domain}/verify`, { method: 'admin' });
  expect(verified.statusCode, verified.body).toBe(200);
  for (const record of [
    { name: shop, type: 'A', ttl: 300, records: ['192.0.2.44'] },
    { name: `kept.${domain}`, type: 'TXT', ttl: 300, records: ['"kept"'] },
  ]) {
    const res = await call('POST', `domains/${domain}/records`, record);
    expect(res.statusCode, res.body).toBe(201);
  }
  expect(await dns.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
}, 60_000);

afterAll(async () => {
  if (c && api) {
    const s = await loadCustomerSnapshot(api.db, c.id);
    if (s) await dns.run({ ...s, deleting: true }, passContext());
    for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore])
      for (const o of await admin.list(
        kind,
        NS,
        `customer-id=${c.id},app.kubernetes.io/managed-by=hostplane`,
      ))
        await admin.delete(kind, NS, o.metadata.name);
  }
  await store
    .delete((await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key))
    .catch(() => undefined);
  await admin?.close();
  await api?.close();
});

describe('DNS zones in customer backups', () => {
  it('a deleted record and the zone’s DNSSEC keys come back with a restore, seen with dig', async () => {
    expect(await dig(shop, 'A')).toEqual(['192.0.2.44']);
    const signedWith = await until('the zone signed', dnskeys, (k) => k.length > 0);

    const asked = await call('POST', 'backups', { name: 'with-dns' });
    expect(asked.statusCode, asked.body).toBe(201);
    const backup = asked.json().name as string;
    await backupTarget.run(await snapshot(), passContext());
    await veleroSays(KINDS.Backup, backup, { phase: 'InProgress', startTimestamp: '2026-11-28T01:00:00Z' });
    expect(await backupTarget.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
    // The zone is in the bucket beside where the mail part goes, and the backup says it holds it.
    expect((await store.list(`${prefix}/${backup}/`)).map((o) => o.key)).toEqual([
      `${prefix}/${backup}/${domain}.json`,
    ]);
    await veleroSays(KINDS.Backup, backup, {
      phase: 'Completed',
      completionTimestamp: '2026-11-28T01:01:00Z',
    });
    await backupTarget.run(await snapshot(), passContext());
    expect((await call('GET', `backups/${backup}`)).json()).toMatchObject({
      phase: 'Completed',
      contents: { sites: [], mailboxes: [], zones: [domain] },
    });

    // The customer deletes the record and re-signs the zone: PowerDNS generates new keys.
    expect((await call('DELETE', `domains/${domain}/records/A/${shop}`)).statusCode).toBe(204);
    for (const dnssec of [false, true]) {
      expect((await call('PATCH', `domains/${domain}`, { dnssec })).statusCode).toBe(200);
      expect(await dns.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
    }
    await until(
      'the record gone',
      () => dig(shop, 'A'),
      (a) => a.length === 0,
    );
    const resigned = await until('new keys', dnskeys, (k) => k.length > 0 && k.join() !== signedWith.join());
    expect(resigned).not.toEqual(signedWith);

    const restore = await call('POST', 'restores', { backup });
    expect(restore.statusCode, restore.body).toBe(201);
    const restoreName = restore.json().name as string;
    // The worker's passes: rows first, the DNS target publishes them, keys, then Velero's Restore.
    let passes = 0;
    while (!(await admin.get(KINDS.Restore, NS, restoreName))) {
      const { dns: d, backup: b } = await pass();
      expect(d).toMatchObject({ status: 'True' });
      expect(b).toMatchObject({ status: 'True' });
      expect(++passes, 'passes before the Velero Restore is created').toBeLessThan(6);
    }
    expect((await call('GET', `domains/${domain}/records`)).json().items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: shop, type: 'A', records: ['192.0.2.44'] })]),
    );
    await until(
      'the record back',
      () => dig(shop, 'A'),
      (a) => a.join() === '192.0.2.44',
    );
    expect(await dig(`kept.${domain}`, 'TXT')).toEqual(['"kept"']);
    // The backup's keys sign the zone again (PowerDNS's key cache may hold the old ones a little while).
    expect((await keys.keysOf(domain))?.map((k) => k.dnskey.replace(/\s+/g, ' ')).sort()).toEqual(
      [...signedWith].sort(),
    );
    await until('the backup’s DNSKEY', dnskeys, (k) => k.join() === signedWith.join());

    // Nothing more to do: a second pass writes nothing, in the rows or in PowerDNS.
    const again = await pass();
    expect(again.dns).toMatchObject({ changes: 0 });
    expect(again.backup).toMatchObject({ changes: 0 });

    // Velero removes the backup at its TTL: the row turns Deleted and the zone export leaves the bucket.
    await admin.delete(KINDS.Backup, NS, backup);
    await backupTarget.run(await snapshot(), passContext());
    expect((await call('GET', `backups/${backup}`)).json().phase).toBe('Deleted');
    expect(await store.list(`${prefix}/${backup}/`)).toEqual([]);
  });

  it('a backup whose DNS part fails turns the Backup condition False with DnsPartFailed', async () => {
    const broken = createBackupTarget({
      kube: admin,
      ledger: backupJobLedger(api.db),
      dns: new ZoneArchive({
        store: new S3ObjectStore(objectStoreSettingsFromEnv({ ...env, S3_BUCKET: `no-such-${runTag}` })),
        keys,
        rows: zoneRowLedger(api.db),
        prefix,
      }),
    });
    const asked = await call('POST', 'backups', { name: 'dns-fails' });
    expect(asked.statusCode, asked.body).toBe(201);
    const backup = asked.json().name as string;
    await broken.run(await snapshot(), passContext());
    await veleroSays(KINDS.Backup, backup, { phase: 'InProgress', startTimestamp: '2026-11-28T02:00:00Z' });
    const outcome = await broken.run(await snapshot(), passContext());
    expect(outcome).toMatchObject({ status: 'False', reason: 'DnsPartFailed' });
    expect(outcome.message).toContain(`backup ${backup}: zones not exported`);
    // The status is held back (the part is retried next pass): the backup holds nothing yet.
    expect((await call('GET', `backups/${backup}`)).json()).toMatchObject({ phase: 'New', contents: null });
    // With its bucket back, the next pass records it.
    expect(await backupTarget.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
    expect((await call('GET', `backups/${backup}`)).json()).toMatchObject({
      phase: 'InProgress',
      contents: { zones: [domain] },
    });
  });
});
