import { describe, expect, it } from 'vitest';
import {
  type AcmeBackoffPolicy,
  acmeRetryDelayMs,
  type CertificateAttempt,
  certificateAttemptChanges,
  planCertificateAttempts,
} from './acme-attempts.ts';
import type { ServedCertificate } from './certificate-state.ts';

const policy: AcmeBackoffPolicy = { attemptWindowMs: 60_000, initialDelayMs: 60_000, maxDelayMs: 3_600_000 };
const t0 = new Date('2026-11-28T12:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const own: ServedCertificate = {
  ok: true,
  trusted: true,
  namesHost: true,
  issuer: 'Pebble Intermediate CA',
  notAfter: '2027-02-26T12:00:00.000Z',
};
const fallback: ServedCertificate = {
  ...own,
  trusted: false,
  namesHost: false,
  issuer: 'TRAEFIK DEFAULT CERT',
};
const served = (entries: Record<string, ServedCertificate>) => new Map(Object.entries(entries));

describe('acmeRetryDelayMs', () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [6, 1_920_000],
    [7, 3_600_000],
    [50, 3_600_000],
  ])('after %i failed attempts waits %i ms (1 min doubling, capped at 1 h)', (n, ms) => {
    expect(acmeRetryDelayMs(n, policy)).toBe(ms);
  });
});

describe('planCertificateAttempts', () => {
  it('starts a first attempt for a new host, on the resolver, and wakes at the end of its window', () => {
    const plan = planCertificateAttempts(['a.test'], [], served({ 'a.test': fallback }), t0, policy);
    expect(plan).toEqual({
      records: [{ host: 'a.test', attempts: 1, attemptStartedAt: t0, nextAttemptAt: null, lastError: null }],
      backingOff: [],
      wakeAt: at(60),
    });
  });

  it('keeps no record for a host whose certificate is served', () => {
    const running: CertificateAttempt = {
      host: 'a.test',
      attempts: 2,
      attemptStartedAt: t0,
      nextAttemptAt: null,
      lastError: 'x',
    };
    expect(planCertificateAttempts(['a.test'], [running], served({ 'a.test': own }), at(5), policy)).toEqual({
      records: [],
      backingOff: [],
      wakeAt: null,
    });
    // Served naming the host, even if this worker does not know the CA's roots.
    const unknownRoots = { ...own, trusted: false };
    expect(
      planCertificateAttempts(['a.test'], [running], served({ 'a.test': unknownRoots }), at(5), policy)
        .records,
    ).toEqual([]);
  });

  it('counts an attempt failed past its window: off the resolver, next attempt after the backoff', () => {
    const first: CertificateAttempt = {
      host: 'a.test',
      attempts: 1,
      attemptStartedAt: t0,
      nextAttemptAt: null,
      lastError: null,
    };
    const within = planCertificateAttempts(
      ['a.test'],
      [first],
      served({ 'a.test': fallback }),
      at(59),
      policy,
    );
    expect(within).toEqual({ records: [first], backingOff: [], wakeAt: at(60) });
    const failed = planCertificateAttempts(
      ['a.test'],
      [first],
      served({ 'a.test': fallback }),
      at(60),
      policy,
    );
    expect(failed.backingOff).toEqual(['a.test']);
    expect(failed.records[0]).toMatchObject({ attempts: 1, attemptStartedAt: null, nextAttemptAt: at(120) });
    expect(failed.records[0]?.lastError).toMatch(/untrusted certificate \(TRAEFIK DEFAULT CERT\)/);
    expect(failed.wakeAt).toEqual(at(120));
  });

  it('waits off the resolver until the next attempt, then puts the host back and counts it', () => {
    const backingOff: CertificateAttempt = {
      host: 'a.test',
      attempts: 2,
      attemptStartedAt: null,
      nextAttemptAt: at(300),
      lastError: 'e',
    };
    const waiting = planCertificateAttempts(['a.test'], [backingOff], new Map(), at(299), policy);
    expect(waiting).toEqual({ records: [backingOff], backingOff: ['a.test'], wakeAt: at(300) });
    const again = planCertificateAttempts(['a.test'], [backingOff], new Map(), at(301), policy);
    expect(again.backingOff).toEqual([]);
    expect(again.records[0]).toMatchObject({ attempts: 3, attemptStartedAt: at(301), nextAttemptAt: null });
    // The third failure waits 4 minutes.
    const third = planCertificateAttempts(
      ['a.test'],
      again.records,
      served({ 'a.test': fallback }),
      at(361),
      policy,
    );
    expect(third.records[0]?.nextAttemptAt).toEqual(at(361 + 240));
  });

  it('does not count an attempt failed while the edge does not answer', () => {
    const first: CertificateAttempt = {
      host: 'a.test',
      attempts: 1,
      attemptStartedAt: t0,
      nextAttemptAt: null,
      lastError: null,
    };
    const plan = planCertificateAttempts(
      ['a.test'],
      [first],
      served({ 'a.test': { ok: false, error: 'ECONNREFUSED' } }),
      at(90),
      policy,
    );
    expect(plan.records).toEqual([first]);
    expect(plan.backingOff).toEqual([]);
    // The window is over: look again soon, not in the past.
    expect(plan.wakeAt).toEqual(at(90));
  });

  it('drops the records of hosts that no longer want a certificate, and wakes at the earliest time', () => {
    const a: CertificateAttempt = {
      host: 'a.test',
      attempts: 1,
      attemptStartedAt: t0,
      nextAttemptAt: null,
      lastError: null,
    };
    const b: CertificateAttempt = {
      host: 'b.test',
      attempts: 3,
      attemptStartedAt: null,
      nextAttemptAt: at(30),
      lastError: 'e',
    };
    const gone: CertificateAttempt = { ...a, host: 'gone.test' };
    const plan = planCertificateAttempts(
      ['b.test', 'a.test'],
      [gone, b, a],
      served({ 'a.test': fallback }),
      at(10),
      policy,
    );
    expect(plan.records.map((r) => r.host)).toEqual(['a.test', 'b.test']);
    expect(plan.wakeAt).toEqual(at(30));
    expect(certificateAttemptChanges([gone, b, a], plan.records)).toEqual({
      upsert: [],
      remove: ['gone.test'],
    });
  });
  it('keeps the backoff of a routed host that does not resolve for a while, and starts no attempt for it', () => {
    const failed: CertificateAttempt = {
      host: 'shop.test',
      attempts: 2,
      attemptStartedAt: null,
      nextAttemptAt: at(40),
      lastError: 'e',
    };
    const running: CertificateAttempt = {
      ...failed,
      host: 'www.shop.test',
      attemptStartedAt: t0,
      nextAttemptAt: null,
    };
    // Its DNS moves: a pass sees both hosts not resolving (AwaitingDNS). Records stay, no wake-up for them.
    const during = planCertificateAttempts([], [failed, running], served({}), at(200), policy, [
      'shop.test',
      'www.shop.test',
      'new.shop.test',
    ]);
    expect(during.records).toEqual([failed, running]);
    expect(during.backingOff).toEqual([]);
    expect(during.wakeAt).toBeNull();
    expect(certificateAttemptChanges([failed, running], during.records)).toEqual({ upsert: [], remove: [] });
    // Resolving again before its next attempt: still off the resolver until then.
    const back = planCertificateAttempts(['shop.test'], during.records, served({}), at(20), policy);
    expect(back.backingOff).toEqual(['shop.test']);
    expect(back.records).toEqual([failed]);
    expect(back.wakeAt).toEqual(at(40));
  });
});

describe('certificateAttemptChanges', () => {
  it('writes nothing when nothing moved, and only what moved otherwise', () => {
    const a: CertificateAttempt = {
      host: 'a.test',
      attempts: 1,
      attemptStartedAt: t0,
      nextAttemptAt: null,
      lastError: null,
    };
    expect(certificateAttemptChanges([a], [{ ...a, attemptStartedAt: new Date(t0) }])).toEqual({
      upsert: [],
      remove: [],
    });
    const moved = { ...a, attempts: 2 };
    expect(certificateAttemptChanges([a], [moved])).toEqual({ upsert: [moved], remove: [] });
  });
});
