import { dnsAppliedZonesStore, loadCustomerSnapshot, type PanelDatabase } from '@hostplane/db';
import type { DomainRow } from '@hostplane/domain';
import {
  answerTexts,
  createPanelScratchDb,
  insertCustomer,
  insertPlan,
  loadStackEnv,
  type PanelScratchDb,
  readUntil,
} from '@hostplane/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsClient } from './client/powerdns-client.ts';
import { PowerDnsZones } from './powerdns-zones.ts';
import { createDnsTarget } from './target.ts';
import { domainRow, passContext, runTag, snapshotOf, testDnsConfig } from './test-support/fixtures.ts';

// Issue 10: a change pass reads and writes only the zones whose desired state moved since it was last
// applied (fingerprints in the panel's PostgreSQL); the resync (a full pass) reads every zone, so a
// record changed on PowerDNS behind the panel's back is repaired. Real PowerDNS, real PostgreSQL.

const env = loadStackEnv();
const client = new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY });
const zones = new PowerDnsZones(client);
let scratch: PanelScratchDb;
let db: Kysely<PanelDatabase>;
let store: ReturnType<typeof dnsAppliedZonesStore>;
let target: ReturnType<typeof createDnsTarget>;
const one = `${runTag}-one.example`;
const two = `${runTag}-two.example`;
let customerId = 0;

/** One pass, with the PowerDNS requests it made. */
async function pass(domains: DomainRow[], kind: 'change' | 'full', deleting = false) {
  client.resetCounts();
  const outcome = await target.run(snapshotOf(customerId, domains, { deleting }), {
    ...passContext(),
    pass: kind,
  });
  return { outcome, requests: { ...client.counts } };
}

const appliedRows = () =>
  db.selectFrom('dns_applied_zones').select(['zone', 'fingerprint', 'applied_at']).orderBy('zone').execute();

beforeAll(async () => {
  scratch = await createPanelScratchDb('dns_applied', { max: 2 });
  db = scratch.db;
  store = dnsAppliedZonesStore(db);
  target = createDnsTarget({ zones, config: testDnsConfig, applied: store });
  const id = await insertCustomer(db, await insertPlan(db));
  // Far from other suites' customer ids on the shared PowerDNS (the account mark is per id).
  customerId = 970_000 + (process.pid % 20_000);
  await db.updateTable('customers').set({ id: customerId }).where('id', '=', id).execute();
});

afterAll(async () => {
  if (customerId) await pass([], 'full', true).catch(() => undefined);
  await scratch.drop();
});

describe('DNS change passes read only the zones that moved (issue 10)', () => {
  it('a first change pass creates the zones and records what it applied', async () => {
    const { outcome } = await pass([domainRow(one)], 'change');
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(outcome.changes).toBeGreaterThan(0);
    expect((await appliedRows()).map((r) => r.zone)).toEqual([one]);
    expect(await answerTexts(env.PDNS_DNS_ADDR, one, 'A')).toEqual(['192.0.2.10']);
  });

  it('a change pass with nothing moved reads nothing from PowerDNS and writes nothing anywhere', async () => {
    const before = await appliedRows();
    const { outcome, requests } = await pass([domainRow(one)], 'change');
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready', changes: 0 });
    expect(requests.total).toBe(0);
    expect(await appliedRows()).toEqual(before);
  });

  it('adding a zone reads and writes only that zone (no listing of the server)', async () => {
    const { outcome, requests } = await pass([domainRow(one), domainRow(two)], 'change');
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready', message: '2 zone(s) served' });
    // A zone never applied is created without a read (PowerDNS refuses to create one that exists)
    // and checked against PowerDNS's answer to the create: one POST and the cache flush (PUT).
    expect(requests).toEqual({ GET: 0, POST: 1, PUT: 1, PATCH: 0, DELETE: 0, total: 2 });
    expect((await appliedRows()).map((r) => r.zone)).toEqual([one, two]);
  });

  it('the snapshot the engine loads carries the record, so a change pass reads none of its own', async () => {
    const loaded = await loadCustomerSnapshot(db, customerId);
    const recorded = Object.fromEntries((await appliedRows()).map((r) => [r.zone, r.fingerprint]));
    expect(loaded?.dnsApplied).toEqual(recorded);
    // The real store, with its reads counted.
    let reads = 0;
    const counted = createDnsTarget({
      zones,
      config: testDnsConfig,
      applied: {
        ...store,
        applied: (id) => {
          reads++;
          return store.applied(id);
        },
      },
    });
    const domains = [domainRow(one), domainRow(two)];
    const ctx = { ...passContext(), pass: 'change' as const };
    client.resetCounts();
    const withRecord = await counted.run({ ...snapshotOf(customerId, domains), dnsApplied: recorded }, ctx);
    expect(withRecord).toMatchObject({ status: 'True', reason: 'Ready', changes: 0 });
    expect(reads).toBe(0);
    expect(client.counts.total).toBe(0);
    // A snapshot without it (built by hand, not by the engine): the target reads its store.
    const without = await counted.run(snapshotOf(customerId, domains), ctx);
    expect(without).toMatchObject({ status: 'True', reason: 'Ready', changes: 0 });
    expect(reads).toBe(1);
  });

  it('a record edited in PowerDNS behind the panel is left by a change pass and repaired by the resync', async () => {
    await client.patchRrsets(one, [
      {
        name: `${one}.`,
        type: 'A',
        changetype: 'REPLACE',
        ttl: 300,
        records: [{ content: '198.51.100.66', disabled: false }],
      },
    ]);
    await client.flushCache(one);
    expect(await answerTexts(env.PDNS_DNS_ADDR, one, 'A')).toEqual(['198.51.100.66']);

    const change = await pass([domainRow(one), domainRow(two)], 'change');
    expect(change.requests.total).toBe(0);
    expect(await answerTexts(env.PDNS_DNS_ADDR, one, 'A')).toEqual(['198.51.100.66']);

    const before = await appliedRows();
    const full = await pass([domainRow(one), domainRow(two)], 'full');
    expect(full.outcome).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(full.outcome.changes).toBe(1);
    await readUntil(
      () => answerTexts(env.PDNS_DNS_ADDR, one, 'A'),
      (a) => a.join() === '192.0.2.10',
    );
    // The desired state did not move: the record of what was applied is untouched.
    expect(await appliedRows()).toEqual(before);
  });

  it('a record changed in the panel moves one fingerprint, and a dropped zone is deleted', async () => {
    const record = { name: `app.${two}`, type: 'A' as const, ttl: 60, records: ['192.0.2.77'] };
    const changed = await pass([domainRow(one), domainRow(two, { records: [record] })], 'change');
    expect(changed.outcome.changes).toBe(1);
    expect(changed.requests).toMatchObject({ GET: 2, PATCH: 1, POST: 0 });
    expect(await answerTexts(env.PDNS_DNS_ADDR, `app.${two}`, 'A')).toEqual(['192.0.2.77']);

    const dropped = await pass([domainRow(two, { records: [record] })], 'change');
    expect(dropped.outcome).toMatchObject({ status: 'True', message: '1 zone(s) served' });
    expect(dropped.requests).toMatchObject({ DELETE: 1 });
    expect((await appliedRows()).map((r) => r.zone)).toEqual([two]);
    await expect(client.getZone(one)).rejects.toThrow();
  });

  it('a zone of the customer that exists with no record of it is found by the refused create and converged', async () => {
    const record = { name: `app.${two}`, type: 'A' as const, ttl: 60, records: ['192.0.2.77'] };
    const domains = [domainRow(two, { records: [record] })];
    // Forget what was applied (as before this record existed) and let the zone drift meanwhile.
    await store.forget(customerId);
    await client.patchRrsets(two, [{ name: `app.${two}.`, type: 'A', changetype: 'DELETE' }]);
    const { outcome, requests } = await pass(domains, 'change');
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready', changes: 1 });
    expect(requests).toMatchObject({ POST: 1, PATCH: 1 });
    expect(await answerTexts(env.PDNS_DNS_ADDR, `app.${two}`, 'A')).toEqual(['192.0.2.77']);
    expect((await appliedRows()).map((r) => r.zone)).toEqual([two]);
    expect((await pass(domains, 'change')).requests.total).toBe(0);
  });

  it('a zone held by another account is read and reported on every change pass, never recorded', async () => {
    const foreign = `${runTag}-held.example`;
    await client.createZone({
      name: foreign,
      kind: 'Native',
      account: 'someone-else',
      soa_edit_api: 'DEFAULT',
      api_rectify: false,
      dnssec: false,
      nameservers: ['ns1.hostplane.test.'],
      rrsets: [],
    });
    try {
      for (let i = 0; i < 2; i++) {
        const { outcome, requests } = await pass([domainRow(foreign)], 'change');
        expect(outcome).toMatchObject({ status: 'False', reason: 'ZoneNotOwned' });
        expect(requests.GET).toBeGreaterThan(0);
        expect((await appliedRows()).map((r) => r.zone)).not.toContain(foreign);
      }
    } finally {
      await client.deleteZone(foreign);
    }
  });
});
