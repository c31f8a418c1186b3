import { describe, expect, it } from 'vitest';
import { quantityToNumber } from './common.ts';
import { aliasSource } from './mail.ts';
import { domainName, hostName, mailAddress } from './names.ts';
import { createRecordBody } from './records.ts';
import { imageReference, siteName } from './sites.ts';

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

describe('bodies', () => {
  it('checks record bodies for shape only (the zone rules run in the API)', () => {
    expect(createRecordBody.safeParse({ name: '@', type: 'TXT', records: ['x'] }).success).toBe(true);
    expect(createRecordBody.safeParse({ name: '@', type: 'SOA', records: ['x'] }).success).toBe(false);
    expect(createRecordBody.safeParse({ name: '@', type: 'A', records: [] }).success).toBe(false);
  });

  it('takes site names that fit the Kubernetes names derived from them', () => {
    expect(siteName.safeParse('blog-2').success).toBe(true);
    expect(siteName.safeParse('2blog').success).toBe(false);
    expect(siteName.safeParse('a'.repeat(41)).success).toBe(false);
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
