import { describe, expect, it } from 'vitest';
import { planDkimKeys } from './dkim.ts';

const key = (domain: string, selector: string, pem = `PEM-${selector}`) => ({
  domain,
  selector,
  privateKeyPem: pem,
});

describe('planDkimKeys', () => {
  const yes = () => true;
  it.each([
    [
      'nothing when the store holds the desired keys',
      [key('a.x', 's1')],
      [key('a.x', 's1')],
      yes,
      { write: [], remove: [], awaitingDns: [] },
    ],
    [
      'a write for a new or changed key',
      [key('a.x', 's1')],
      [key('a.x', 's1', 'OTHER')],
      yes,
      { write: [key('a.x', 's1')], remove: [], awaitingDns: [] },
    ],
    [
      'a removal for a key no longer wanted',
      [],
      [key('a.x', 's1')],
      yes,
      { write: [], remove: ['a.x'], awaitingDns: [] },
    ],
    [
      'a rotation once the new selector is published',
      [key('a.x', 's2')],
      [key('a.x', 's1')],
      yes,
      { write: [key('a.x', 's2')], remove: [], awaitingDns: [] },
    ],
    [
      'the old key while the new selector is not published',
      [key('a.x', 's2')],
      [key('a.x', 's1')],
      () => false,
      { write: [], remove: [], awaitingDns: ['a.x'] },
    ],
    [
      'a first key without waiting for DNS',
      [key('a.x', 's1')],
      [],
      () => false,
      { write: [key('a.x', 's1')], remove: [], awaitingDns: [] },
    ],
  ])('plans %s', (_case, desired, stored, published, plan) => {
    expect(planDkimKeys(desired, stored, published)).toEqual(plan);
  });
});
