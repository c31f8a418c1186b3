import { describe, expect, it } from 'vitest';
import type { DnsRecordRow } from '../snapshot.ts';
import { type RecordContext, recordContextFor, validateRrset } from './records.ts';

const existing: DnsRecordRow[] = [
  { name: 'blog.example.com', type: 'CNAME', ttl: 300, records: ['example.net.'] },
  { name: 'app.example.com', type: 'A', ttl: 300, records: ['192.0.2.7'] },
];
const ctx: RecordContext = { zone: 'example.com', mailDomains: ['example.com'], existing };
const noMail: RecordContext = { ...ctx, mailDomains: [] };

describe('validateRrset accepts and canonicalises', () => {
  it.each([
    [
      { name: '@', type: 'A', records: ['192.0.2.2', '192.0.2.1', '192.0.2.1'] },
      { name: 'example.com', type: 'A', ttl: 3600, records: ['192.0.2.1', '192.0.2.2'] },
    ],
    [
      { name: 'WWW.Example.com.', type: 'CNAME', ttl: 300, records: ['Target.Example.NET'] },
      { name: 'www.example.com', type: 'CNAME', ttl: 300, records: ['target.example.net.'] },
    ],
    [
      { name: 'example.com', type: 'TXT', records: ['google-site-verification=abc'] },
      { name: 'example.com', type: 'TXT', ttl: 3600, records: ['"google-site-verification=abc"'] },
    ],
    [
      { name: 'sub.example.com', type: 'NS', records: ['ns1.elsewhere.net'] },
      { name: 'sub.example.com', type: 'NS', ttl: 3600, records: ['ns1.elsewhere.net.'] },
    ],
    [
      { name: '_sip._tcp.example.com', type: 'SRV', records: ['10 5 5060 sip.example.com'] },
      { name: '_sip._tcp.example.com', type: 'SRV', ttl: 3600, records: ['10 5 5060 sip.example.com.'] },
    ],
    [
      { name: 'app.example.com', type: 'A', ttl: 60, records: ['192.0.2.9'] },
      { name: 'app.example.com', type: 'A', ttl: 60, records: ['192.0.2.9'] },
    ],
  ])('%j', (input, row) => {
    expect(validateRrset(input, ctx)).toEqual({ ok: true, value: row });
  });

  it('lets the customer set MX, SPF and DMARC when mail is off', () => {
    expect(validateRrset({ name: '@', type: 'MX', records: ['1 aspmx.l.google.com'] }, noMail).ok).toBe(true);
    expect(
      validateRrset({ name: '@', type: 'TXT', records: ['v=spf1 include:_spf.google.com -all'] }, noMail).ok,
    ).toBe(true);
    expect(
      validateRrset({ name: '_dmarc.example.com', type: 'TXT', records: ['v=DMARC1; p=none'] }, noMail).ok,
    ).toBe(true);
  });
});

describe('validateRrset refuses with a field path', () => {
  it.each([
    ['an unknown type', { name: '@', type: 'SOA', records: ['x'] }, ['type'], 'invalid_syntax'],
    ['no records', { name: '@', type: 'A', records: [] }, ['records'], 'invalid_syntax'],
    [
      'a name outside the zone',
      { name: 'www.other.com', type: 'A', records: ['192.0.2.1'] },
      ['name'],
      'outside_zone',
    ],
    [
      'a bad address at index 1',
      { name: '@', type: 'A', records: ['192.0.2.1', '300.1.1.1'] },
      ['records', 1],
      'invalid_content',
    ],
    ['a TTL below 60', { name: '@', type: 'A', ttl: 5, records: ['192.0.2.1'] }, ['ttl'], 'out_of_range'],
    [
      'a CNAME at the apex',
      { name: '@', type: 'CNAME', records: ['x.example.net'] },
      ['name'],
      'cname_at_apex',
    ],
    [
      'a CNAME beside an A',
      { name: 'app.example.com', type: 'CNAME', records: ['x.example.net'] },
      ['type'],
      'cname_conflict',
    ],
    [
      'an A beside a CNAME',
      { name: 'blog.example.com', type: 'A', records: ['192.0.2.1'] },
      ['type'],
      'cname_conflict',
    ],
    [
      'two CNAME targets',
      { name: 'x.example.com', type: 'CNAME', records: ['a.example.net', 'b.example.net'] },
      ['records'],
      'cname_single',
    ],
    ['NS at the apex', { name: '@', type: 'NS', records: ['ns.evil.net'] }, ['name'], 'ns_at_apex'],
    ['apex CAA', { name: '@', type: 'CAA', records: ['0 issue "evil.ca"'] }, ['name'], 'read_only'],
    ['MX while mail is on', { name: '@', type: 'MX', records: ['10 mx.evil.net'] }, ['name'], 'read_only'],
    [
      'DMARC while mail is on',
      { name: '_dmarc.example.com', type: 'TXT', records: ['v=DMARC1; p=none'] },
      ['name'],
      'read_only',
    ],
    [
      'a DKIM key while mail is on',
      { name: 'x._domainkey.example.com', type: 'TXT', records: ['v=DKIM1; p=AA'] },
      ['name'],
      'read_only',
    ],
    [
      'autoconfig while mail is on',
      { name: 'autoconfig.example.com', type: 'A', records: ['192.0.2.1'] },
      ['name'],
      'read_only',
    ],
    [
      'an SRV for submission',
      { name: '_submission._tcp.example.com', type: 'SRV', records: ['0 1 587 x.example.net'] },
      ['name'],
      'read_only',
    ],
    [
      'an SPF value while mail is on',
      { name: '@', type: 'TXT', records: ['hello', 'v=spf1 -all'] },
      ['records', 1],
      'spf_managed',
    ],
  ])('%s', (_label, input, path, code) => {
    const result = validateRrset(input, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ path, code });
  });

  it('replacing a CNAME with another CNAME is not a conflict', () => {
    expect(
      validateRrset({ name: 'blog.example.com', type: 'CNAME', records: ['new.example.net'] }, ctx).ok,
    ).toBe(true);
  });

  it('refuses a CNAME at a mail subdomain, where MX and SPF live', () => {
    const sub = { ...ctx, mailDomains: ['example.com', 'shop.example.com'] };
    const result = validateRrset(
      { name: 'shop.example.com', type: 'CNAME', records: ['x.example.net'] },
      sub,
    );
    expect(result.ok ? null : result.errors[0]?.code).toBe('cname_conflict');
  });
});

describe('recordContextFor', () => {
  it('folds a hosted subdomain into its ancestor zone', () => {
    const domains = [
      { name: 'example.com', dns: true, mail: false, records: [] },
      { name: 'shop.example.com', dns: true, mail: true, records: existing },
      { name: 'example.org', dns: true, mail: true, records: [] },
    ];
    expect(recordContextFor(domains, 'shop.example.com')).toEqual({
      zone: 'example.com',
      mailDomains: ['shop.example.com'],
      webmailDomains: [],
      existing,
    });
  });
});
