import { describe, expect, it } from 'vitest';
import type { ConditionRow, TargetResult } from './conditions.ts';
import { deletionComplete, planNextPass, withNextAttempt } from './schedule.ts';

const now = new Date('2026-11-26T07:00:00Z');
const opts = { backoff: { baseMs: 2_000, capMs: 300_000 }, requeueDelayMs: 5_000, random: () => 0.5 };

function row(type: ConditionRow['type'], attempts: number): ConditionRow {
  return {
    customerId: 1001,
    type,
    status: attempts > 0 ? 'False' : 'True',
    reason: attempts > 0 ? 'ReconcileFailed' : 'Ready',
    message: '',
    observedGeneration: 1,
    lastTransitionTime: now,
    lastError: attempts > 0 ? 'boom' : null,
    attempts,
    nextAttemptAt: null,
  };
}
const ok = (target: TargetResult['target'], requeue = false, reason = 'Ready'): TargetResult => ({
  target,
  ok: true,
  ms: 1,
  outcome: { status: 'True', reason, message: '', changes: 0, requeue },
});
const failed = (target: TargetResult['target']): TargetResult => ({
  target,
  ok: false,
  ms: 1,
  error: 'boom',
});

describe('planNextPass', () => {
  it('waits for a mutation or the resync when every target converged', () => {
    expect(planNextPass([ok('Customer')], [row('Customer', 0)], now, opts)).toBeNull();
  });

  it('does not poll a target that reported a state it cannot leave by itself (a Failed site): the watch asks', () => {
    const failedSite: TargetResult = {
      target: 'Kubernetes',
      ok: true,
      ms: 1,
      outcome: { status: 'False', reason: 'CrashLoopBackOff', message: 'home: …', changes: 0 },
    };
    const rows = [{ ...row('Kubernetes', 0), status: 'False' as const, reason: 'CrashLoopBackOff' }];
    expect(planNextPass([failedSite, ok('Customer')], rows, now, opts)).toBeNull();
  });

  it('requeues soon when a target asks for it', () => {
    expect(planNextPass([ok('Kubernetes', true)], [row('Kubernetes', 0)], now, opts)).toEqual({
      runAt: new Date(now.getTime() + 5_000),
      cause: 'requeue',
    });
  });

  it('requeues later at the earliest time a target asks for, unless another asks soon', () => {
    const later = (target: TargetResult['target'], ms: number): TargetResult => ({
      target,
      ok: true,
      ms: 1,
      outcome: { status: 'True', reason: 'Ready', message: '', changes: 0, requeueAfterMs: ms },
    });
    const rows = [row('Kubernetes', 0), row('DNS', 0)];
    expect(planNextPass([later('Kubernetes', 90_000), later('DNS', 60_000)], rows, now, opts)).toEqual({
      runAt: new Date(now.getTime() + 60_000),
      cause: 'requeue',
    });
    expect(planNextPass([later('Kubernetes', 90_000), ok('DNS', true)], rows, now, opts)?.runAt).toEqual(
      new Date(now.getTime() + 5_000),
    );
    const next = planNextPass([later('Kubernetes', 90_000), ok('DNS')], rows, now, opts);
    expect(
      withNextAttempt(rows, [later('Kubernetes', 90_000), ok('DNS')], next).map((r) => r.nextAttemptAt),
    ).toEqual([new Date(now.getTime() + 90_000), null]);
  });

  it('retries after a backoff drawn for the most-failed target, even when another asks requeue', () => {
    const results = [failed('DNS'), failed('Mail'), ok('Kubernetes', true)];
    const rows = [row('DNS', 1), row('Mail', 4), row('Kubernetes', 0)];
    // ceiling after 4 failures = 16 s; random 0.5 → 8 s
    expect(planNextPass(results, rows, now, opts)).toEqual({
      runAt: new Date(now.getTime() + 8_000),
      cause: 'retry',
    });
  });
});

describe('withNextAttempt', () => {
  it('records the next pass on the failed and requeueing targets only', () => {
    const results = [failed('DNS'), ok('Kubernetes', true), ok('Customer')];
    const rows = [row('DNS', 1), row('Kubernetes', 0), row('Customer', 0)];
    const runAt = new Date(now.getTime() + 1_000);
    const out = withNextAttempt(rows, results, { runAt, cause: 'retry' });
    expect(out.map((r) => r.nextAttemptAt)).toEqual([runAt, runAt, null]);
    expect(withNextAttempt(rows, results, null).every((r) => r.nextAttemptAt === null)).toBe(true);
  });
});

describe('deletionComplete', () => {
  it('is true only when deleting and every target reported Deleted', () => {
    expect(deletionComplete(true, [ok('Customer', false, 'Deleted'), ok('DNS', false, 'Deleted')])).toBe(
      true,
    );
    expect(deletionComplete(true, [ok('Customer', false, 'Deleted'), ok('DNS')])).toBe(false);
    expect(deletionComplete(true, [ok('Customer', false, 'Deleted'), failed('DNS')])).toBe(false);
    expect(deletionComplete(false, [ok('Customer', false, 'Deleted')])).toBe(false);
  });
});
