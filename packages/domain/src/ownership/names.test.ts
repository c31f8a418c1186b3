import { describe, expect, it } from 'vitest';
import {
  customerDomainRefusal,
  domainClaimKey,
  publicSuffixReason,
  reservedNameReason,
  siteHostIssues,
} from './names.ts';

const reserved = ['hostplane.test', 'mail.hostplane.test', 'ns1.hostplane.test', 'panel.hostplane.test'];

describe('reservedNameReason', () => {
  it.each(['hostplane.test', 'panel.hostplane.test', 'x.ns1.hostplane.test', 'evil.hostplane.test'])(
    'refuses %s',
    (name) => {
      expect(reservedNameReason(name, reserved)).toMatch(/platform's own names/);
    },
  );
  it('refuses a name above a platform host', () => {
    expect(reservedNameReason('provider.net', ['panel.provider.net'])).toMatch(
      /overlaps panel\.provider\.net/,
    );
  });
  it.each(['shop.test', 'nothostplane.test'])('lets %s through', (name) => {
    expect(reservedNameReason(name, reserved)).toBeNull();
  });
});

describe('publicSuffixReason', () => {
  it.each(['co.uk', 'uk', '*.co.uk', 'github.io', '*.github.io', 'test', '*.test'])('refuses %s', (name) => {
    expect(publicSuffixReason(name)).toMatch(/public suffix/);
  });
  it.each(['example.co.uk', '*.example.co.uk', 'me.github.io', 'shop.test'])('lets %s through', (name) => {
    expect(publicSuffixReason(name)).toBeNull();
  });
  it('knows the suffixes a platform declares', () => {
    expect(publicSuffixReason('sites.provider.net', ['customers.sites.provider.net'])).toMatch(
      /public suffix/,
    );
  });
});

describe('siteHostIssues', () => {
  const domains = [
    { name: 'shop.test', verified: false },
    { name: 'blog.test', verified: true },
  ];
  const issues = (hosts: string[], www = false) => siteHostIssues({ hosts, www, domains, reserved });

  it('accepts hosts equal to or under own domains', () => {
    expect(issues(['shop.test', 'www.shop.test', 'a.b.blog.test', '*.blog.test'])).toEqual([]);
  });
  it("refuses a host outside the customer's domains, naming its index", () => {
    expect(issues(['shop.test', 'gmail.test'])).toEqual([
      { path: ['domains', 1], message: expect.stringMatching(/not under one of this customer's domains/) },
    ]);
  });
  it('refuses a wildcard under an unverified domain, or spanning a public suffix', () => {
    expect(issues(['*.shop.test'])).toEqual([
      { path: ['domains', 0], message: expect.stringMatching(/needs a verified domain/) },
    ]);
    expect(issues(['*.co.uk'])[0]).toEqual({
      path: ['domains', 0],
      message: '*.co.uk spans a public suffix',
    });
    expect(issues(['*.test'])[0]?.path).toEqual(['domains', 0]);
  });
  it('refuses www with a wildcard on the field www', () => {
    expect(issues(['*.blog.test'], true)).toEqual([
      { path: ['www'], message: 'www cannot be added to a wildcard host' },
    ]);
  });
  it("refuses the panel's own hosts", () => {
    expect(issues(['panel.hostplane.test'])[0]?.message).toMatch(/platform's own names/);
  });
});

describe('customerDomainRefusal', () => {
  it.each([
    ['shop.example.org', null],
    ['hostplane.test', "hostplane.test is one of the platform's own names"],
    [
      'x.panel.hostplane.test',
      "x.panel.hostplane.test overlaps hostplane.test, one of the platform's own names",
    ],
    ['co.uk', '"co.uk" is a public suffix; a customer hosts names under it'],
    ['example.test', null],
  ])('%s → %s', (name, reason) => {
    expect(customerDomainRefusal(name, reserved)).toBe(reason);
  });

  it('refuses what is not a domain name', () => {
    expect(customerDomainRefusal('not a domain', reserved)).toEqual(expect.any(String));
  });
});

describe('domainClaimKey', () => {
  it.each([
    ['shop.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['a.b.example.co.uk', 'example.co.uk'],
  ])('%s is claimed under %s', (name, key) => {
    expect(domainClaimKey(name)).toBe(key);
  });
});
