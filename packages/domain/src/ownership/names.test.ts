import { describe, expect, it } from 'vitest';
import { publicSuffixReason, reservedNameReason, siteHostIssues } from './names.ts';

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
