import { describe, expect, it } from 'vitest';
import {
  coveringDomain,
  isNameVerified,
  judgeOwnership,
  nextVerification,
  type OwnershipObservation,
  retryDelaySeconds,
  type VerificationPolicy,
} from './verification.ts';

const platformNs = ['ns1.hostplane.test', 'ns2.hostplane.test'];
const token = 'hp-0123456789abcdef';
const seen = (over: Partial<OwnershipObservation>): OwnershipObservation => ({
  nameservers: [],
  txt: [],
  errors: [],
  ...over,
});
const policy: VerificationPolicy = {
  retryInitialSeconds: 60,
  retryMaxSeconds: 3600,
  recheckVerifiedSeconds: 86_400,
  revokeAfterFailures: 3,
};

describe('judgeOwnership', () => {
  it.each([
    [
      'NS set = the platform (any case, trailing dots)',
      seen({ nameservers: ['NS1.hostplane.test.', 'ns2.hostplane.test'] }),
      'ns',
    ],
    ['NS set ⊂ the platform', seen({ nameservers: ['ns2.hostplane.test'] }), 'ns'],
    [
      'TXT holds the token',
      seen({ nameservers: ['ns.other.test'], txt: ['unrelated', ` ${token} `] }),
      'txt',
    ],
    ['TXT proof even when the NS lookup failed', seen({ nameservers: null, txt: [token] }), 'txt'],
  ])('%s → %s', (_, observation, method) => {
    expect(judgeOwnership('shop.test', token, platformNs, observation)).toMatchObject({
      method,
      inconclusive: false,
    });
  });

  it.each([
    ['not delegated', seen({}), /no NS set of its own/],
    [
      'delegated elsewhere',
      seen({ nameservers: ['ns1.other.test'] }),
      /ns1\.other\.test, not to ns1\.hostplane\.test/,
    ],
    [
      'mixed NS set: one foreign server can answer anything',
      seen({ nameservers: ['ns1.hostplane.test', 'ns.evil.test'] }),
      /ns\.evil\.test/,
    ],
    ['another token', seen({ txt: ['hp-other'] }), /does not hold the token/],
  ])('%s → no proof', (_, observation, message) => {
    const judgement = judgeOwnership('shop.test', token, platformNs, observation);
    expect(judgement.method).toBeNull();
    expect(judgement.inconclusive).toBe(false);
    expect(judgement.message).toMatch(message);
  });

  it('says inconclusive when the resolver failed for both lookups', () => {
    const judgement = judgeOwnership(
      'shop.test',
      token,
      platformNs,
      seen({ nameservers: null, txt: null, errors: ['NS shop.test: ETIMEOUT'] }),
    );
    expect(judgement).toMatchObject({ method: null, inconclusive: true });
    expect(judgement.message).toContain('ETIMEOUT');
  });
});

describe('nextVerification', () => {
  const proven = { method: 'ns' as const, inconclusive: false, message: 'delegated' };
  const missing = { method: null, inconclusive: false, message: 'no proof' };
  const pending = { state: 'Pending' as const, method: null, message: '', failures: 0 };

  it('verifies on proof and rechecks after a day', () => {
    expect(nextVerification(pending, proven, policy)).toEqual({
      state: 'Verified',
      method: 'ns',
      message: 'delegated',
      failures: 0,
      nextCheckInSeconds: 86_400,
    });
  });

  it('fails without proof and backs off: 60, 120, 240 … capped', () => {
    const first = nextVerification(pending, missing, policy);
    expect(first).toMatchObject({ state: 'Failed', failures: 1, nextCheckInSeconds: 60 });
    const second = nextVerification(first, missing, policy);
    expect(second).toMatchObject({ state: 'Failed', failures: 2, nextCheckInSeconds: 120 });
    expect(retryDelaySeconds(30, policy)).toBe(3600);
  });

  it('keeps a verified domain through a miss or two, then revokes it', () => {
    const verified = { state: 'Verified' as const, method: 'txt' as const, message: '', failures: 0 };
    const once = nextVerification(verified, missing, policy);
    expect(once).toMatchObject({ state: 'Verified', method: 'txt', failures: 1 });
    const twice = nextVerification(once, missing, policy);
    expect(twice).toMatchObject({ state: 'Verified', failures: 2 });
    expect(nextVerification(twice, missing, policy)).toMatchObject({
      state: 'Failed',
      method: null,
      failures: 3,
    });
  });

  it('never revokes an admin mark, and an inconclusive check changes only the message', () => {
    const admin = { state: 'Verified' as const, method: 'admin' as const, message: 'by hand', failures: 0 };
    expect(nextVerification(admin, missing, policy)).toMatchObject({ state: 'Verified', method: 'admin' });
    const failed = { state: 'Failed' as const, method: null, message: 'x', failures: 2 };
    expect(
      nextVerification(failed, { method: null, inconclusive: true, message: 'resolver down' }, policy),
    ).toMatchObject({
      state: 'Failed',
      failures: 2,
      message: 'resolver down',
      nextCheckInSeconds: 120,
    });
  });
});

describe('coveringDomain / isNameVerified', () => {
  const domains = [
    { name: 'example.test', verified: true },
    { name: 'shop.example.test', verified: false },
    { name: 'other.test', verified: false },
  ];
  it('finds the most specific own domain of a host', () => {
    expect(coveringDomain('www.shop.example.test', domains)?.name).toBe('shop.example.test');
    expect(coveringDomain('*.example.test', domains)?.name).toBe('example.test');
    expect(coveringDomain('example.org', domains)).toBeUndefined();
  });
  it('treats a name as verified when an own domain at or above it is', () => {
    expect(isNameVerified('www.shop.example.test', domains)).toBe(true);
    expect(isNameVerified('other.test', domains)).toBe(false);
    expect(isNameVerified('notexample.test', domains)).toBe(false);
  });
});
