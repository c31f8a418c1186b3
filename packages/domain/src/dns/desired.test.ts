import { describe, expect, it } from 'vitest';
import type { DomainRow } from '../snapshot.ts';
import { dnsPlatformConfigSchema } from './config.ts';
import { soaRname } from './defaults.ts';
import { desiredZones, recordsView } from './desired.ts';
import { parseTxtStrings } from './txt.ts';

const config = dnsPlatformConfigSchema.parse({
  nameservers: ['ns1.hostplane.test', 'NS2.hostplane.test.'],
  soa: { contact: 'host.master@hostplane.test' },
  publicIPv4: ['192.0.2.10'],
  publicIPv6: ['2001:db8::10'],
  mail: { host: 'mail.hostplane.test', dmarcRua: 'dmarc@hostplane.test' },
});

function domain(name: string, over: Partial<DomainRow> = {}): DomainRow {
  return { name, dns: true, mail: false, dnssec: false, verified: true, records: [], dkim: null, ...over };
}

function summary(zone: { rrsets: { name: string; type: string; records: string[] }[] }): string[] {
  return zone.rrsets.map((r) => `${r.name} ${r.type} ${r.records.join(' | ')}`);
}

describe('desiredZones', () => {
  it('gives a plain domain SOA, NS, CAA and apex + www addresses', () => {
    const [zone] = desiredZones({ id: 1001, deleting: false, domains: [domain('example.com')] }, config);
    expect(zone).toMatchObject({
      name: 'example.com',
      kind: 'Native',
      account: 'hostplane:cust-1001',
      dnssec: false,
    });
    expect(summary(zone!)).toEqual([
      'example.com A 192.0.2.10',
      'example.com AAAA 2001:db8::10',
      'example.com CAA 0 issue "letsencrypt.org"',
      'example.com NS ns1.hostplane.test. | ns2.hostplane.test.',
      'example.com SOA ns1.hostplane.test. host\\.master.hostplane.test. 0 10800 3600 604800 3600',
      'www.example.com A 192.0.2.10',
      'www.example.com AAAA 2001:db8::10',
    ]);
  });

  it('adds the mail records, with the DKIM key split into 255-byte strings', () => {
    const publicKey = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(392)}\n-----END PUBLIC KEY-----`;
    const dkim = {
      selector: 'hp1',
      publicKey,
      privateKeyPem: 'x',
      previousSelector: 'hp0',
      previousPublicKey: 'BBBB',
    };
    const [zone] = desiredZones(
      { id: 1, deleting: false, domains: [domain('example.com', { mail: true, dkim })] },
      config,
    );
    const byName = (name: string, type: string) =>
      zone!.rrsets.find((r) => r.name === name && r.type === type);
    expect(byName('example.com', 'MX')?.records).toEqual(['10 mail.hostplane.test.']);
    expect(byName('example.com', 'TXT')?.records).toEqual(['"v=spf1 mx -all"']);
    expect(byName('_dmarc.example.com', 'TXT')?.records).toEqual([
      '"v=DMARC1; p=quarantine; rua=mailto:dmarc@hostplane.test"',
    ]);
    expect(byName('_submission._tcp.example.com', 'SRV')?.records).toEqual(['0 1 587 mail.hostplane.test.']);
    expect(byName('_imaps._tcp.example.com', 'SRV')?.records).toEqual(['0 1 993 mail.hostplane.test.']);
    expect(byName('autoconfig.example.com', 'CNAME')?.records).toEqual(['mail.hostplane.test.']);
    expect(byName('autodiscover.example.com', 'CNAME')?.managed).toBe(true);
    const key = byName('hp1._domainkey.example.com', 'TXT')?.records[0] ?? '';
    expect(parseTxtStrings(key)?.map((s) => s.length)).toEqual([255, 155]);
    expect(byName('hp0._domainkey.example.com', 'TXT')?.records).toEqual(['"v=DKIM1; k=rsa; p=BBBB"']);
  });

  it('folds a hosted subdomain into the parent zone and lets customer rows override defaults', () => {
    const domains = [
      domain('example.com', {
        dnssec: true,
        records: [
          { name: 'www.example.com', type: 'CNAME', ttl: 300, records: ['example.net.'] },
          { name: 'example.com', type: 'A', ttl: 300, records: ['198.51.100.1'] },
          { name: 'example.com', type: 'NS', ttl: 300, records: ['ns.evil.net.'] },
        ],
      }),
      domain('shop.example.com', { mail: true }),
      domain('other.org', { dns: false }),
    ];
    const zones = desiredZones({ id: 7, deleting: false, domains }, config);
    expect(zones.map((z) => [z.name, z.dnssec])).toEqual([['example.com', true]]);
    const lines = summary(zones[0]!);
    expect(lines).toContain('example.com A 198.51.100.1');
    expect(lines).not.toContain('example.com AAAA 2001:db8::10');
    expect(lines).toContain('www.example.com CNAME example.net.');
    expect(lines.filter((l) => l.startsWith('www.example.com '))).toHaveLength(1);
    expect(lines).toContain('example.com NS ns1.hostplane.test. | ns2.hostplane.test.');
    expect(lines).toContain('shop.example.com MX 10 mail.hostplane.test.');
    expect(lines).toContain('www.shop.example.com A 192.0.2.10');
    expect(lines.some((l) => l.startsWith('shop.example.com SOA'))).toBe(false);
  });

  it('merges customer TXT at a mail domain with the platform SPF, which wins', () => {
    const records = [
      { name: 'example.com', type: 'TXT' as const, ttl: 300, records: ['"verify=1"', '"v=spf1 +all"'] },
    ];
    const [zone] = desiredZones(
      { id: 1, deleting: false, domains: [domain('example.com', { mail: true, records })] },
      config,
    );
    expect(zone!.rrsets.find((r) => r.name === 'example.com' && r.type === 'TXT')?.records).toEqual([
      '"v=spf1 mx -all"',
      '"verify=1"',
    ]);
  });

  it('is empty while the customer is deleted, and deterministic', () => {
    const domains = [domain('b.example'), domain('a.example')];
    expect(desiredZones({ id: 1, deleting: true, domains }, config)).toEqual([]);
    const once = desiredZones({ id: 1, deleting: false, domains }, config);
    expect(desiredZones({ id: 1, deleting: false, domains: [...domains].reverse() }, config)).toEqual(once);
    expect(once.map((z) => z.name)).toEqual(['a.example', 'b.example']);
  });

  it('shows the record editor the zone rrsets below a domain, marked managed', () => {
    const view = recordsView(
      { id: 1, domains: [domain('example.com'), domain('shop.example.com')] },
      config,
      'shop.example.com',
    );
    expect(view.map((r) => `${r.name} ${r.type} ${r.managed}`)).toEqual([
      'shop.example.com A false',
      'shop.example.com AAAA false',
      'www.shop.example.com A false',
      'www.shop.example.com AAAA false',
    ]);
  });

  it.each([
    ['hostmaster@example.net', 'hostmaster.example.net.'],
    ['first.last@Example.NET', 'first\\.last.example.net.'],
    ['hostmaster.example.net', 'hostmaster.example.net.'],
  ])('SOA contact %s → %s', (contact, rname) => {
    expect(soaRname(contact)).toBe(rname);
  });
});

describe('DKIM selectors from rows', () => {
  it.each([
    ['HP2026', 'hp2026._domainkey.example.com'],
    ['a.b', 'a.b._domainkey.example.com'],
    ['bad selector', null],
    ['-x', null],
  ])('selector %j publishes %s', (selector, name) => {
    const dkim = {
      selector,
      publicKey: 'AAAA',
      privateKeyPem: 'x',
      previousSelector: null,
      previousPublicKey: null,
    };
    const [zone] = desiredZones(
      { id: 1, deleting: false, domains: [domain('example.com', { mail: true, dkim })] },
      config,
    );
    const names = zone!.rrsets.filter((r) => r.name.includes('_domainkey')).map((r) => r.name);
    expect(names).toEqual(name ? [name] : []);
  });
});

describe('desiredZones: webmail.{domain} (issue 17)', () => {
  it('points webmail.{domain} at the platform, managed, when webmail is on', () => {
    const [zone] = desiredZones(
      { id: 1001, deleting: false, domains: [domain('example.com', { webmail: true })] },
      config,
    );
    const webmail = zone!.rrsets.filter((r) => r.name === 'webmail.example.com');
    expect(webmail).toEqual([
      { name: 'webmail.example.com', type: 'A', ttl: 3600, records: ['192.0.2.10'], managed: true },
      { name: 'webmail.example.com', type: 'AAAA', ttl: 3600, records: ['2001:db8::10'], managed: true },
    ]);
  });

  it('has no webmail record when off, and a customer row there does not replace the platform one', () => {
    const [off] = desiredZones({ id: 1001, deleting: false, domains: [domain('example.com')] }, config);
    expect(off!.rrsets.some((r) => r.name === 'webmail.example.com')).toBe(false);
    const row = {
      name: 'webmail.example.com',
      type: 'CNAME' as const,
      ttl: 300,
      records: ['elsewhere.example.'],
    };
    const [on] = desiredZones(
      { id: 1001, deleting: false, domains: [domain('example.com', { webmail: true, records: [row] })] },
      config,
    );
    expect(on!.rrsets.filter((r) => r.name === 'webmail.example.com').map((r) => r.type)).toEqual([
      'A',
      'AAAA',
    ]);
  });
});
