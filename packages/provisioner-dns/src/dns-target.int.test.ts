import { type DomainRow, normalizeDomainName, recordContextFor, validateRrset } from '@hostplane/domain';
import { answerTexts, loadStackEnv, queryDns, readUntil } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsClient } from './client/powerdns-client.ts';
import { InvalidError } from './errors.ts';
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

const env = loadStackEnv();
const dns = env.PDNS_DNS_ADDR;
const client = new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY });
const target = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
const customer = testCustomerId();
const zone = `${runTag}-shop.example`;
const foreignZone = `${runTag}-foreign.example`;

let domains: DomainRow[] = [];
const soaSerial = async () =>
  (JSON.parse((await queryDns(dns, zone, 'SOA')).answers[0]?.text ?? '{}') as { serial: number }).serial;
const run = (over = {}) => target.run(snapshotOf(customer, domains, over), passContext());

beforeAll(async () => {
  domains = [domainRow(zone, { mail: true })];
  await run();
});

afterAll(async () => {
  await run({ deleting: true });
  await client.deleteZone(foreignZone).catch(() => undefined);
});

describe('DNS target against the real PowerDNS', () => {
  it.each([false, true])('serves the default records (tcp: %s)', async (tcp) => {
    const opts = { tcp };
    expect(await answerTexts(dns, zone, 'A', opts)).toEqual(['192.0.2.10']);
    expect(await answerTexts(dns, `www.${zone}`, 'AAAA', opts)).toEqual(['2001:db8::10']);
    expect(await answerTexts(dns, zone, 'NS', opts)).toEqual(['ns1.hostplane.test', 'ns2.hostplane.test']);
    expect(await answerTexts(dns, zone, 'MX', opts)).toEqual([
      '{"preference":10,"exchange":"mail.hostplane.test"}',
    ]);
    expect(await answerTexts(dns, zone, 'TXT', opts)).toEqual(['v=spf1 mx -all']);
    expect(await answerTexts(dns, `_dmarc.${zone}`, 'TXT', opts)).toEqual([
      'v=DMARC1; p=quarantine; rua=mailto:dmarc@hostplane.test',
    ]);
    const srv = await answerTexts(dns, `_submission._tcp.${zone}`, 'SRV', opts);
    expect(srv.map((s) => JSON.parse(s))).toEqual([
      { priority: 0, weight: 1, port: 587, target: 'mail.hostplane.test' },
    ]);
    expect(await answerTexts(dns, `autoconfig.${zone}`, 'CNAME', opts)).toEqual(['mail.hostplane.test']);
    const caa = (await answerTexts(dns, zone, 'CAA', opts)).map((c) => JSON.parse(c));
    expect(caa).toMatchObject([{ tag: 'issue', value: 'letsencrypt.org' }]);
    const soa = await queryDns(dns, zone, 'SOA', opts);
    expect(soa.authoritative).toBe(true);
    expect(JSON.parse(soa.answers[0]?.text ?? '{}')).toMatchObject({
      mname: 'ns1.hostplane.test',
      rname: 'hostmaster.hostplane.test',
    });
  });

  it('a second reconcile sends no PATCH and no write at all', async () => {
    expect(await run()).toMatchObject({ status: 'True' }); // its own first pass
    client.resetCounts();
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'True', reason: 'Ready', changes: 0 });
    expect(client.counts).toMatchObject({ PATCH: 0, POST: 0, PUT: 0, DELETE: 0 });
    expect(client.counts.GET).toBeGreaterThan(0);
  });

  it('a pass reads only the zones the customer has: one GET per zone, no listing of the server', async () => {
    await run(); // its own first pass (builds the index once)
    client.resetCounts();
    await run();
    // One zone desired, one zone read: GET /zones (every zone on the server) is not asked again.
    expect(client.counts.GET).toBe(1);
  });

  it("another process's target (a fresh index) still finds and removes a zone the customer dropped", async () => {
    const dropped = `${runTag}-dropped.example`;
    const id = testCustomerId(1);
    await target.run(snapshotOf(id, [domainRow(dropped)]), passContext());
    expect(await answerTexts(dns, dropped, 'NS')).toEqual(['ns1.hostplane.test', 'ns2.hostplane.test']);
    const elsewhere = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
    expect(await elsewhere.run(snapshotOf(id, []), passContext())).toMatchObject({ status: 'True' });
    await expect(client.getZone(dropped)).rejects.toThrow();
  });

  it("a customer's record appears, changes and disappears, with one PATCH per pass", async () => {
    const name = `app.${zone}`;
    const setRecords = (records: DomainRow['records']) => {
      domains = [domainRow(zone, { mail: true, records })];
    };
    const serialBefore = await soaSerial();
    setRecords([{ name, type: 'A', ttl: 60, records: ['198.51.100.1'] }]);
    client.resetCounts();
    expect(await run()).toMatchObject({ status: 'True', changes: 1 });
    expect(client.counts.PATCH).toBe(1);
    expect(await answerTexts(dns, name, 'A')).toEqual(['198.51.100.1']);
    // SOA-EDIT-API: the serial secondaries and caches look at moves with every change.
    expect(await soaSerial()).toBeGreaterThan(serialBefore);

    setRecords([{ name, type: 'A', ttl: 60, records: ['198.51.100.2', '198.51.100.3'] }]);
    await run();
    expect(await answerTexts(dns, name, 'A', { tcp: true })).toEqual(['198.51.100.2', '198.51.100.3']);

    setRecords([]);
    await run();
    const gone = await queryDns(dns, name, 'A');
    expect(gone.rcode).toBe('NXDOMAIN');
  });

  it('round-trips a 600-byte TXT exactly, as 255-byte strings (UDP with EDNS and TCP)', async () => {
    const value = Array.from({ length: 600 }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[i % 36]).join(
      '',
    );
    const name = `long.${zone}`;
    const row = validateRrset({ name, type: 'TXT', records: [value] }, recordContextFor(domains, zone));
    expect(row.ok).toBe(true);
    domains = [domainRow(zone, { mail: true, records: row.ok ? [row.value] : [] })];
    await run();
    for (const tcp of [false, true]) {
      const res = await queryDns(dns, name, 'TXT', { tcp });
      const strings = res.answers[0]?.strings ?? [];
      expect(strings.map((s) => s.length)).toEqual([255, 255, 90]);
      expect(Buffer.concat(strings).toString('utf8')).toBe(value);
    }
    client.resetCounts();
    await run();
    expect(client.counts.PATCH).toBe(0);
  });

  it('refuses CNAME conflicts in the editor, and PowerDNS refuses them on the wire too', async () => {
    const ctx = recordContextFor(
      [
        domainRow(zone, {
          mail: true,
          records: [{ name: `x.${zone}`, type: 'A', ttl: 60, records: ['192.0.2.1'] }],
        }),
      ],
      zone,
    );
    const beside = validateRrset(
      { name: `x.${zone}`, type: 'CNAME', records: ['elsewhere.example.net'] },
      ctx,
    );
    const apex = validateRrset({ name: zone, type: 'CNAME', records: ['elsewhere.example.net'] }, ctx);
    expect(beside.ok ? null : beside.errors[0]?.code).toBe('cname_conflict');
    expect(apex.ok ? null : apex.errors[0]?.code).toBe('cname_at_apex');
    const clash = [
      {
        name: `y.${zone}.`,
        type: 'A',
        changetype: 'REPLACE' as const,
        ttl: 60,
        records: [{ content: '192.0.2.1', disabled: false }],
      },
      {
        name: `y.${zone}.`,
        type: 'CNAME',
        changetype: 'REPLACE' as const,
        ttl: 60,
        records: [{ content: 'a.example.net.', disabled: false }],
      },
    ];
    await expect(client.patchRrsets(zone, clash)).rejects.toBeInstanceOf(InvalidError);
    expect((await queryDns(dns, `y.${zone}`, 'A')).rcode).toBe('NXDOMAIN');
  });

  it('every record type, as PowerDNS spells it back, compares equal: the next pass sends nothing', async () => {
    const inputs = [
      { name: `v6.${zone}`, type: 'AAAA', records: ['2001:DB8:0:0:0:0:0:1', '2001:db8::ffff:0:1'] },
      { name: `alias.${zone}`, type: 'CNAME', records: ['Target.Example.NET'] },
      { name: `mx.${zone}`, type: 'MX', records: ['20 mx2.example.net', '10 mx1.example.net.'] },
      { name: `_sip._tcp.${zone}`, type: 'SRV', records: ['10 5 5060 SIP.example.net'] },
      {
        name: `caa.${zone}`,
        type: 'CAA',
        records: ['0 ISSUE letsencrypt.org', '128 iodef "mailto:sec@example.net"'],
      },
      { name: `txt.${zone}`, type: 'TXT', records: ['héllo "quoted" \\ back', '"a" "b"', ''] },
      { name: `deleg.${zone}`, type: 'NS', records: ['ns1.elsewhere.net', 'ns2.elsewhere.net'] },
      { name: `*.wild.${zone}`, type: 'A', records: ['192.0.2.44'] },
    ];
    domains = [domainRow(zone, { mail: true })];
    await run();
    const ctx = recordContextFor(domains, zone);
    const rows = inputs.map((input) => {
      const result = validateRrset({ ...input, ttl: 120 }, ctx);
      if (!result.ok) throw new Error(`${input.name}: ${JSON.stringify(result.errors)}`);
      return result.value;
    });
    domains = [domainRow(zone, { mail: true, records: rows })];
    expect(await run()).toMatchObject({ status: 'True', changes: rows.length });
    client.resetCounts();
    expect(await run()).toMatchObject({ status: 'True', changes: 0 });
    expect(client.counts.PATCH).toBe(0);
    expect(await answerTexts(dns, `v6.${zone}`, 'AAAA')).toEqual(['2001:db8::1', '2001:db8::ffff:0:1']);
    expect(await answerTexts(dns, `x.wild.${zone}`, 'A')).toEqual(['192.0.2.44']);
    const txt = await queryDns(dns, `txt.${zone}`, 'TXT', { tcp: true });
    const values = txt.answers.map((a) => a.strings?.map((b) => b.toString('utf8')));
    expect(values).toEqual(expect.arrayContaining([['héllo "quoted" \\ back'], ['a', 'b'], ['']]));
    domains = [domainRow(zone, { mail: true })];
    await run();
  });

  it('repairs drift injected by hand in one PATCH', async () => {
    const drift = [
      {
        name: `drift.${zone}.`,
        type: 'A',
        changetype: 'REPLACE' as const,
        ttl: 60,
        records: [{ content: '203.0.113.9', disabled: false }],
      },
      {
        name: `www.${zone}.`,
        type: 'A',
        changetype: 'REPLACE' as const,
        ttl: 60,
        records: [{ content: '203.0.113.8', disabled: false }],
      },
    ];
    await client.patchRrsets(zone, drift);
    client.resetCounts();
    expect(await run()).toMatchObject({ status: 'True', changes: 2 });
    expect(client.counts.PATCH).toBe(1);
    expect((await queryDns(dns, `drift.${zone}`, 'A')).rcode).toBe('NXDOMAIN');
    expect(await answerTexts(dns, `www.${zone}`, 'A')).toEqual(['192.0.2.10']);
  });

  it('serves bücher.example as xn--bcher-kva.example', async () => {
    const normalized = normalizeDomainName('bücher.example');
    expect(normalized).toEqual({ ok: true, value: 'xn--bcher-kva.example' });
    const idn = normalized.ok ? normalized.value : '';
    const other = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
    const idnCustomer = testCustomerId(1);
    const snapshot = snapshotOf(idnCustomer, [domainRow(idn)]);
    try {
      expect(await other.run(snapshot, passContext())).toMatchObject({ status: 'True', reason: 'Ready' });
      expect(await answerTexts(dns, idn, 'A')).toEqual(['192.0.2.10']);
      expect(await answerTexts(dns, `www.${idn}`, 'A', { tcp: true })).toEqual(['192.0.2.10']);
    } finally {
      expect(await other.run({ ...snapshot, deleting: true }, passContext())).toMatchObject({
        reason: 'Deleted',
      });
    }
    expect((await queryDns(dns, idn, 'A')).rcode).toBe('REFUSED');
  });

  it('never touches a zone it does not own, even when the customer asks for it or is deleted', async () => {
    const soa = 'ns.other.test. hostmaster.other.test. 1 10800 3600 604800 3600';
    await client.createZone({
      name: foreignZone,
      kind: 'Native',
      account: 'someone-else',
      soa_edit_api: '',
      api_rectify: false,
      dnssec: false,
      nameservers: ['ns.other.test.'],
      rrsets: [
        {
          name: `${foreignZone}.`,
          type: 'SOA',
          changetype: 'REPLACE',
          ttl: 300,
          records: [{ content: soa, disabled: false }],
        },
      ],
    });
    const before = await client.getZone(foreignZone);
    domains = [domainRow(zone, { mail: true })];
    await run();
    domains = [domainRow(zone, { mail: true }), domainRow(foreignZone)];
    client.resetCounts();
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'False', reason: 'ZoneNotOwned', changes: 0 });
    expect(client.counts).toMatchObject({ PATCH: 0, POST: 0, PUT: 0, DELETE: 0 });
    domains = [domainRow(zone, { mail: true })];
    await run();
    const stranger = snapshotOf(testCustomerId(1), []);
    await target.run({ ...stranger, deleting: true }, passContext());
    expect(await client.getZone(foreignZone)).toEqual(before);
    expect(await answerTexts(dns, foreignZone, 'SOA')).toHaveLength(1);
  });

  it('deleting the customer removes its zones and reports Deleted', async () => {
    const extra = `${runTag}-extra.example`;
    domains = [domainRow(zone, { mail: true }), domainRow(extra, { records: [] })];
    await run();
    expect(await answerTexts(dns, extra, 'A')).toEqual(['192.0.2.10']);
    expect(await run({ deleting: true })).toMatchObject({ status: 'True', reason: 'Deleted', changes: 2 });
    for (const name of [zone, extra]) {
      expect(
        (
          await readUntil(
            () => queryDns(dns, name, 'SOA'),
            (r) => r.rcode === 'REFUSED',
          )
        ).rcode,
      ).toBe('REFUSED');
    }
    expect(await run({ deleting: true })).toMatchObject({ status: 'True', reason: 'Deleted', changes: 0 });
    domains = [domainRow(zone, { mail: true })];
    await run();
  });
});
