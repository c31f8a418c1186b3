import { loadStackEnv, queryDns } from '@hostplane/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { PowerDnsClient } from './client/powerdns-client.ts';
import { getDsRecords, PowerDnsZones } from './powerdns-zones.ts';
import { createDnsTarget } from './target.ts';
import {
  domainRow,
  passContext,
  runTag,
  snapshotOf,
  testCustomerId,
  testDnsConfig,
} from './test-support/fixtures.ts';

const env = loadStackEnv();
const dns = env.PDNS_DNS_ADDR;
const client = new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY });
const target = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
const customer = testCustomerId(2);
const zone = `${runTag}-signed.example`;
const snapshot = (dnssec: boolean, deleting = false) =>
  snapshotOf(customer, [domainRow(zone, { dnssec, mail: true })], { deleting });

afterAll(async () => {
  await target.run(snapshot(false, true), passContext());
});

/** Key tag of the RRSIG over `type` at `name`, or null when the answer carries no signature. */
async function rrsigKeyTag(
  name: string,
  type: string,
  tcp: boolean,
  dnssecOk = true,
): Promise<number | null> {
  const res = await queryDns(dns, name, type, { tcp, dnssec: dnssecOk });
  const sig = res.answers.find((a) => a.type === 'RRSIG');
  return sig ? (JSON.parse(sig.text) as { keyTag: number }).keyTag : null;
}

describe('DNSSEC through the DNS target', () => {
  it('signs on request: answers carry RRSIGs with the DO bit (UDP and TCP) and the DS matches the key', async () => {
    await target.run(snapshot(false), passContext());
    expect(await rrsigKeyTag(zone, 'A', false)).toBeNull();
    expect(await getDsRecords(client, zone)).toEqual([]);

    client.resetCounts();
    expect(await target.run(snapshot(true), passContext())).toMatchObject({ status: 'True', changes: 1 });
    expect(client.counts.PATCH).toBe(0);
    const ds = await getDsRecords(client, zone);
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.map((d) => d.digestType)).toContain(2);
    for (const tcp of [false, true]) {
      expect(await rrsigKeyTag(zone, 'A', tcp)).toBe(ds[0]?.keyTag);
      expect(await rrsigKeyTag(`_dmarc.${zone}`, 'TXT', tcp)).toBe(ds[0]?.keyTag);
    }
    // Without the DO bit a resolver that cannot validate gets no signatures.
    expect(await rrsigKeyTag(zone, 'A', false, false)).toBeNull();
    const dnskey = await queryDns(dns, zone, 'DNSKEY', { dnssec: true });
    expect(dnskey.answers.filter((a) => a.type === 'DNSKEY').length).toBeGreaterThan(0);
    expect(ds[0]?.content).toMatch(/^\d+ 13 [124] [0-9a-f]+$/);
  });

  it('a signed zone reconciles to no change, and record changes stay signed', async () => {
    client.resetCounts();
    expect(await target.run(snapshot(true), passContext())).toMatchObject({ status: 'True', changes: 0 });
    expect(client.counts.PATCH + client.counts.PUT + client.counts.POST).toBe(0);
    const withRecord = snapshotOf(customer, [
      domainRow(zone, {
        dnssec: true,
        mail: true,
        records: [{ name: `new.${zone}`, type: 'A', ttl: 60, records: ['192.0.2.77'] }],
      }),
    ]);
    await target.run(withRecord, passContext());
    const res = await queryDns(dns, `new.${zone}`, 'A', { dnssec: true });
    expect(res.answers.map((a) => a.type).sort()).toEqual(['A', 'RRSIG']);
  });

  it('turning DNSSEC off removes the keys and the signatures', async () => {
    expect(await target.run(snapshot(false), passContext())).toMatchObject({ status: 'True' });
    expect(await client.listCryptokeys(zone)).toEqual([]);
    expect(await getDsRecords(client, zone)).toEqual([]);
    for (const tcp of [false, true]) expect(await rrsigKeyTag(zone, 'A', tcp)).toBeNull();
    expect(
      (await queryDns(dns, zone, 'DNSKEY', { dnssec: true })).answers.filter((a) => a.type === 'DNSKEY'),
    ).toEqual([]);
  });

  it('creates a zone signed from the start', async () => {
    await target.run(snapshot(false, true), passContext());
    expect(await target.run(snapshot(true), passContext())).toMatchObject({ status: 'True', changes: 1 });
    expect(await rrsigKeyTag(zone, 'SOA', true)).not.toBeNull();
  });
});
