import { describe, expect, it } from 'vitest';
import type { CustomerSnapshot, DomainRow } from '../snapshot.ts';
import {
  desiredDkimKeys,
  isDkimRotation,
  nextDkimSelector,
  previousDkimRetirable,
  rotateDkim,
} from './dkim.ts';

const mailDomain = (name: string, over: Partial<DomainRow> = {}): DomainRow => ({
  name,
  dns: true,
  mail: true,
  dnssec: false,
  verified: true,
  records: [],
  dkim: null,
  ...over,
});
const customerSnapshot = (over: Partial<CustomerSnapshot>) =>
  ({ deleting: false, ...over }) as CustomerSnapshot;
const key = (domain: string, selector: string, pem = `PEM-${selector}`) => ({
  domain,
  selector,
  privateKeyPem: pem,
});
const dkim = {
  selector: 'hp202611',
  publicKey: 'PUB1',
  privateKeyPem: 'PEM-hp202611',
  previousSelector: null,
  previousPublicKey: null,
};

describe('desiredDkimKeys', () => {
  it('takes the signing key of each mail domain with a key, none when deleting', () => {
    const domains = [
      mailDomain('b.example', { dkim }),
      mailDomain('a.example'),
      mailDomain('c.example', { mail: false, dkim }),
    ];
    expect(desiredDkimKeys(customerSnapshot({ domains }))).toEqual([key('b.example', 'hp202611')]);
    expect(desiredDkimKeys(customerSnapshot({ domains, deleting: true }))).toEqual([]);
  });
});

describe('rotation', () => {
  const now = new Date('2026-11-26T08:00:00Z');
  it('picks a selector that differs from the current one, also within the same month', () => {
    expect(nextDkimSelector(['hp202610'], now)).toBe('hp202611');
    expect(nextDkimSelector(['hp202611'], now)).toBe('hp202611b');
    expect(nextDkimSelector(['hp202611', 'hp202611b'], now)).toBe('hp202611c');
  });

  it('keeps the current key published as previous, and refuses a rotation during one', () => {
    const rotated = rotateDkim(dkim, { publicKey: 'PUB2', privateKeyPem: 'PEM2' }, now);
    expect(rotated).toEqual({
      selector: 'hp202611b',
      publicKey: 'PUB2',
      privateKeyPem: 'PEM2',
      previousSelector: 'hp202611',
      previousPublicKey: 'PUB1',
    });
    expect(() => rotateDkim(rotated, { publicKey: 'P3', privateKeyPem: 'K3' }, now)).toThrow(/in progress/);
  });

  it.each([
    ['once the new key signs and the grace has passed', 5, 72, true],
    ['not before the grace has passed', 5, 10, false],
    ['not while the Mail condition is older than the rotation', 3, 100, false],
  ])('retires the previous key %s', (_case, readyGeneration, hoursLater, expected) => {
    const rotatedAt = new Date('2026-11-01T00:00:00Z');
    const later = new Date(rotatedAt.getTime() + hoursLater * 3_600_000);
    expect(
      previousDkimRetirable({
        rotatedAt,
        now: later,
        mailReadyGeneration: readyGeneration,
        rotationGeneration: 4,
      }),
    ).toBe(expected);
  });
});

describe('isDkimRotation', () => {
  it('is a rotation only when a stored key has another selector', () => {
    expect(isDkimRotation(undefined, { selector: 'hp202601' })).toBe(false);
    expect(isDkimRotation({ selector: 'hp202601' }, { selector: 'hp202601' })).toBe(false);
    expect(isDkimRotation({ selector: 'hp202601' }, { selector: 'hp202601b' })).toBe(true);
  });
});
