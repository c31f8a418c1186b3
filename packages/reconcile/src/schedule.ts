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
 * target asking `requeue` schedules a pass soon; otherwise the customer waits for a mutation, a
 * watch event or the periodic resync.
 *
 * The retry wins over another target's requeue on purpose: the pass it runs is a full one, so what
 * asked for the requeue is looked at then too, and a sooner pass would run the failing target again
 * before its backoff. A target that reports a state it cannot leave by itself (a site `Failed` on a
 * bad image, a crash loop, OOMKilled, failing probes: status False, no error, no requeue) is not
 * polled: its recovery moves its pods and Deployment, and the worker's watch
 * (provisioner-k8s/src/client/site-watch.ts) asks for a pass the moment they move, retry or not
 * (an observed change enqueues like a mutation).
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
  const later = results.flatMap((r) =>
    r.ok && r.outcome.requeueAfterMs !== undefined ? [r.outcome.requeueAfterMs] : [],
  );
  if (later.length > 0) {
    return { runAt: new Date(now.getTime() + Math.min(...later)), cause: 'requeue' };
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
  const waiting = new Set(
    results
      .filter((r) => !r.ok || r.outcome.requeue === true || r.outcome.requeueAfterMs !== undefined)
      .map((r) => r.target),
  );
  return rows.map((r) => ({ ...r, nextAttemptAt: waiting.has(r.type) ? next.runAt : null }));
}

/** True once a deleting customer's every target reported that nothing it owned is left. */
export function deletionComplete(deleting: boolean, results: readonly TargetResult[]): boolean {
  return (
    deleting && results.every((r) => r.ok && r.outcome.status === 'True' && r.outcome.reason === 'Deleted')
  );
}
