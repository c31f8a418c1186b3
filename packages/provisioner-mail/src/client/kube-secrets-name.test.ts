import { describe, expect, it } from 'vitest';
import { dkimSecretName } from './kube-secrets-client.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('dkimSecretName', () => {
  it.each([
    ['a.b-c.com', 'a-b.c.com'],
    ['a.b.c', 'a-b.c'],
    ['x--y.example', 'x-.-y.example'],
  ])('names %s and %s apart', (one, two) => {
    expect(dkimSecretName(one)).not.toBe(dkimSecretName(two));
  });

  it('is deterministic, case-blind and readable', () => {
    expect(dkimSecretName('Example.COM')).toBe(dkimSecretName('example.com'));
    expect(dkimSecretName('example.com')).toMatch(/^dkim-example-com-[0-9a-f]{16}$/);
  });

  it('stays a DNS-1123 subdomain of at most 253 characters for the longest domains', () => {
    const label = 'a'.repeat(63);
    const longest = [label, label, label, 'b'.repeat(61)].join('.');
    for (const domain of [longest, 'example.com', `${'x-'.repeat(100)}y.example`]) {
      const name = dkimSecretName(domain);
      expect(name.length).toBeLessThanOrEqual(253);
      expect(name).toMatch(DNS_SUBDOMAIN);
    }
  });

  it('has no collision over many look-alike names', () => {
    const names = new Set<string>();
    const domains: string[] = [];
    for (let i = 0; i < 2000; i++)
      domains.push(`s${i}.a-b.example`, `s${i}-a.b.example`, `s${i}.a.b-example`);
    for (const d of domains) names.add(dkimSecretName(d));
    expect(names.size).toBe(domains.length);
  });
});
