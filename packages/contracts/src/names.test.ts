import { describe, expect, it } from 'vitest';
import { quantityToNumber } from './common.ts';
import { aliasSource } from './mail.ts';
import { domainName, hostName, mailAddress } from './names.ts';
import { checkRecordContents, normalizeRecordContent, recordName } from './records.ts';
import { imageReference } from './sites.ts';

describe('domainName', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['shop.example.co.uk.', 'shop.example.co.uk'],
    ['my-site.test', 'my-site.test'],
  ])('normalises %s to %s', (input, expected) => {
    expect(domainName.parse(input)).toBe(expected);
  });

  it.each([
    'co.uk',
    'com',
    'localhost',
    '-bad.com',
    'a..b.com',
    'exa mple.com',
    'http://x.com',
    '1.2.3.4',
    `${'a'.repeat(64)}.com`,
  ])('refuses %s', (input) => {
    expect(domainName.safeParse(input).success).toBe(false);
  });
});

describe('hostName, mailAddress, aliasSource', () => {
  it('accepts wildcards and IDN hosts', () => {
    expect(hostName.parse('*.Example.org')).toBe('*.example.org');
    expect(hostName.parse('www.bücher.de')).toBe('www.xn--bcher-kva.de');
  });
  it('lowercases addresses and punycodes their domain', () => {
    expect(mailAddress.parse('Info@Bücher.de')).toBe('info@xn--bcher-kva.de');
    expect(mailAddress.safeParse('no-at-sign').success).toBe(false);
    expect(mailAddress.safeParse('.dot@example.com').success).toBe(false);
  });
  it('takes @domain as a catch-all source', () => {
    expect(aliasSource.parse('@Example.com')).toBe('@example.com');
    expect(aliasSource.safeParse('@').success).toBe(false);
  });
});

describe('records', () => {
  it.each([
    ['A', '192.0.2.1', '192.0.2.1'],
    ['A', '300.1.1.1', null],
    ['AAAA', '2001:DB8::1', '2001:db8::1'],
    ['CNAME', 'Target.Example.com', 'target.example.com.'],
    ['MX', '10 mail.example.com', '10 mail.example.com.'],
    ['MX', 'mail.example.com', null],
    ['SRV', '10 5 5060 sip.example.com.', '10 5 5060 sip.example.com.'],
    ['CAA', '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'],
    ['TXT', 'v=spf1 -all', '"v=spf1 -all"'],
    ['TXT', '"already" "quoted"', '"already" "quoted"'],
    ['TXT', 'say "hi"', '"say \\"hi\\""'],
  ] as const)('%s %s → %s', (type, input, expected) => {
    expect(normalizeRecordContent(type, input)).toBe(expected);
  });

  it('splits long TXT content into 255-character strings', () => {
    const out = normalizeRecordContent('TXT', 'k'.repeat(600))!;
    expect(out.split(' ').map((s) => s.length - 2)).toEqual([255, 255, 90]);
  });

  it('allows one CNAME target only', () => {
    expect(checkRecordContents('CNAME', ['a.example.com', 'b.example.com']).invalid).toEqual([1]);
  });

  it('accepts underscore labels and a leading wildcard in owner names', () => {
    expect(recordName.parse('_dmarc.Example.com.')).toBe('_dmarc.example.com');
    expect(recordName.parse('*.example.com')).toBe('*.example.com');
    expect(recordName.safeParse('a.*.example.com').success).toBe(false);
  });
});

describe('quantities and images', () => {
  it.each([
    ['1Gi', 2 ** 30],
    ['500Mi', 500 * 2 ** 20],
    ['1.5G', 1.5e9],
    ['250m', 1],
    ['3', 3],
  ])('%s is %d', (q, n) => {
    expect(quantityToNumber(q)).toBe(n);
  });

  it.each([
    'nginx',
    'nginx:1.27',
    'ghcr.io/acme/app:v1.2.3',
    `registry.local:5000/team/app@sha256:${'a'.repeat(64)}`,
  ])('accepts image %s', (ref) => {
    expect(imageReference.safeParse(ref).success).toBe(true);
  });

  it.each(['Nginx', 'nginx:', 'a b', 'nginx:tag with space'])('refuses image %s', (ref) => {
    expect(imageReference.safeParse(ref).success).toBe(false);
  });
});
