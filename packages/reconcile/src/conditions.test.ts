import { describe, expect, it } from 'vitest';
import { FAILED_REASON, nextCondition, redactSecrets, type TargetResult } from './conditions.ts';

const t0 = new Date('2026-11-26T07:00:00Z');
const t1 = new Date('2026-11-26T07:05:00Z');
const ready: TargetResult = {
  target: 'DNS',
  ok: true,
  ms: 3,
  outcome: { status: 'True', reason: 'Ready', message: 'zone in sync', changes: 0 },
};
const failed: TargetResult = {
  target: 'DNS',
  ok: false,
  ms: 3,
  error: 'connect ECONNREFUSED 127.0.0.1:8081',
};

describe('nextCondition', () => {
  it('reports a target outcome with the observed generation and no error', () => {
    expect(nextCondition(1001, 7, ready, undefined, t0)).toEqual({
      customerId: 1001,
      type: 'DNS',
      status: 'True',
      reason: 'Ready',
      message: 'zone in sync',
      observedGeneration: 7,
      lastTransitionTime: t0,
      lastError: null,
      attempts: 0,
      nextAttemptAt: null,
    });
  });

  it('keeps lastTransitionTime while the status stays the same, moves it when the status changes', () => {
    const same = nextCondition(1001, 8, ready, { status: 'True', lastTransitionTime: t0, attempts: 0 }, t1);
    expect(same.lastTransitionTime).toEqual(t0);
    const changed = nextCondition(
      1001,
      8,
      ready,
      { status: 'False', lastTransitionTime: t0, attempts: 3 },
      t1,
    );
    expect(changed.lastTransitionTime).toEqual(t1);
    expect(changed.attempts).toBe(0);
  });

  it('turns a thrown error into False with the error and counts consecutive failures', () => {
    const first = nextCondition(1001, 2, failed, { status: 'True', lastTransitionTime: t0, attempts: 0 }, t1);
    expect(first).toMatchObject({
      status: 'False',
      reason: FAILED_REASON,
      lastError: 'connect ECONNREFUSED 127.0.0.1:8081',
      attempts: 1,
      lastTransitionTime: t1,
    });
    expect(first.message).toContain('DNS pass failed: connect ECONNREFUSED');
    const third = nextCondition(
      1001,
      2,
      failed,
      { status: 'False', lastTransitionTime: t1, attempts: 2 },
      t0,
    );
    expect(third.attempts).toBe(3);
    expect(third.lastTransitionTime).toEqual(t1);
  });

  it('clips very long messages', () => {
    const long: TargetResult = { target: 'Mail', ok: false, ms: 1, error: 'x'.repeat(5_000) };
    const row = nextCondition(1001, 1, long, undefined, t0);
    expect(row.message.length).toBeLessThanOrEqual(1_000);
    expect(row.lastError?.length).toBeLessThanOrEqual(1_000);
  });
});

describe('redactSecrets', () => {
  it.each([
    [
      'connect mysql://mail:s3cret@127.0.0.1:3306/mail failed',
      'connect mysql://mail:***@127.0.0.1:3306/mail failed',
    ],
    ['401 with X-API-Key: abc123', '401 with X-API-Key: ***'],
    ['header Authorization: Bearer hp_abcdef', 'header Authorization: Bearer ***'],
    ['password=hunter2 rejected', 'password=*** rejected'],
    ['plain message', 'plain message'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
