// When the next pass of a customer runs, decided from one pass's results (pure).
import { type BackoffPolicy, retryDelayMs } from './backoff.ts';
import type { ConditionRow, TargetResult } from './conditions.ts';

export interface NextPass {
  runAt: Date;
  /** retry: a target threw (backoff grows with its consecutive failures); requeue: a target asked for another pass. */
  cause: 'retry' | 'requeue';
}

export interface ScheduleOptions {
  backoff: BackoffPolicy;
  requeueDelayMs: number;
  random: () => number;
}

/**
 * A failed target schedules a retry after a backoff drawn for the largest consecutive-failure count
 * among the failed targets (one job per customer, so one delay for the whole customer); otherwise a
 * target asking `requeue` schedules a pass soon; otherwise the customer waits for a mutation or the
 * periodic resync.
 */
export function planNextPass(
  results: readonly TargetResult[],
  rows: readonly ConditionRow[],
  now: Date,
  opts: ScheduleOptions,
): NextPass | null {
  const failedAttempts = rows.filter((r) => r.lastError !== null).map((r) => r.attempts);
  if (failedAttempts.length > 0) {
    const delay = retryDelayMs(Math.max(...failedAttempts), opts.random, opts.backoff);
    return { runAt: new Date(now.getTime() + delay), cause: 'retry' };
  }
  if (results.some((r) => r.ok && r.outcome.requeue === true)) {
    return { runAt: new Date(now.getTime() + opts.requeueDelayMs), cause: 'requeue' };
  }
  return null;
}

/** Records the next pass on the conditions that caused it (failed or requeueing targets). */
export function withNextAttempt(
  rows: readonly ConditionRow[],
  results: readonly TargetResult[],
  next: NextPass | null,
): ConditionRow[] {
  if (!next) return rows.map((r) => ({ ...r, nextAttemptAt: null }));
  const waiting = new Set(results.filter((r) => !r.ok || r.outcome.requeue === true).map((r) => r.target));
  return rows.map((r) => ({ ...r, nextAttemptAt: waiting.has(r.type) ? next.runAt : null }));
}

/** True once a deleting customer's every target reported that nothing it owned is left. */
export function deletionComplete(deleting: boolean, results: readonly TargetResult[]): boolean {
  return (
    deleting && results.every((r) => r.ok && r.outcome.status === 'True' && r.outcome.reason === 'Deleted')
  );
}
