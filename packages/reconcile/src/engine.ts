// One reconcile pass of one customer: load the snapshot, run every target (a failing target does
// not stop the others), write the conditions, mark a deleted customer, schedule the next pass.

import { panelReconcileStore } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import type { Logger } from 'pino';
import { type BackoffPolicy, defaultBackoff } from './backoff.ts';
import { type ConditionRow, nextCondition, type TargetResult } from './conditions.ts';
import type { PanelDb } from './db.ts';
import { enqueueReconcile } from './enqueue.ts';
import type { ReconcileMetrics } from './metrics.ts';
import { runTarget } from './run-target.ts';
import { deletionComplete, type NextPass, planNextPass, withNextAttempt } from './schedule.ts';
import type { Target } from './target.ts';

export type LoadSnapshot = (db: PanelDb, customerId: number) => Promise<CustomerSnapshot | null>;

export interface ReconcileDeps {
  db: PanelDb;
  targets: readonly Target[];
  loadSnapshot: LoadSnapshot;
  logger: Logger;
  metrics?: ReconcileMetrics;
  /** Retry delays after failures; default 2 s doubling up to 5 min. */
  backoff?: BackoffPolicy;
  /** Delay of the pass a target asks for with `requeue`; default 5 s. */
  requeueDelayMs?: number;
  /** A target still running after this is a failed pass (its error says so); default 2 min. */
  targetTimeoutMs?: number;
  random?: () => number;
  now?: () => Date;
}

export type PassReport =
  | { customerId: number; found: false }
  | {
      customerId: number;
      found: true;
      generation: number;
      results: TargetResult[];
      conditions: ConditionRow[];
      next: NextPass | null;
      deleted: boolean;
    };

/** Thrown when the job was asked to stop (shutdown) mid-pass: nothing is written, the queue retries it. */
export class PassAborted extends Error {
  constructor(customerId: number) {
    super(`reconcile of customer ${customerId} aborted by shutdown; the job is released for another attempt`);
    this.name = 'PassAborted';
  }
}

export async function reconcileCustomer(
  deps: ReconcileDeps,
  customerId: number,
  signal: AbortSignal,
  /** `change` (a mutation asked for it) lets targets read only what moved; default `full`. */
  pass: 'change' | 'full' = 'full',
): Promise<PassReport> {
  const started = performance.now();
  const log = deps.logger.child({ customerId, pass });
  const snapshot = await deps.loadSnapshot(deps.db, customerId);
  if (!snapshot) {
    log.info(
      { ms: Math.round(performance.now() - started) },
      'reconcile skipped: customer not found or deleted',
    );
    return { customerId, found: false };
  }
  // Stopped while the snapshot loaded: no target starts (the job is released for the next worker).
  if (signal.aborted) throw new PassAborted(customerId);
  const timeoutMs = deps.targetTimeoutMs ?? 120_000;
  const results = await Promise.all(
    deps.targets.map((target) =>
      runTarget(target, snapshot, {
        signal,
        pass,
        timeoutMs,
        log: log.child({ target: target.name }),
        metrics: deps.metrics,
      }),
    ),
  );
  if (signal.aborted) throw new PassAborted(customerId);
  const report = await recordPass(deps, snapshot, results);
  const ms = Math.round(performance.now() - started);
  deps.metrics?.passDuration.observe({ result: results.every((r) => r.ok) ? 'ok' : 'failed' }, ms / 1000);
  log.info(
    {
      generation: snapshot.generation,
      changes: results.reduce((sum, r) => sum + (r.ok ? r.outcome.changes : 0), 0),
      targets: Object.fromEntries(
        report.conditions.map((c) => [c.type, { status: c.status, reason: c.reason, attempts: c.attempts }]),
      ),
      next: report.next ? { cause: report.next.cause, runAt: report.next.runAt.toISOString() } : null,
      deleted: report.deleted,
      ms,
    },
    'reconcile pass',
  );
  return report;
}

/** Writes conditions, deleted_at and the next job in one transaction: all of a pass's effects or none. */
async function recordPass(
  deps: ReconcileDeps,
  snapshot: CustomerSnapshot,
  results: TargetResult[],
): Promise<Extract<PassReport, { found: true }>> {
  const now = (deps.now ?? (() => new Date()))();
  return deps.db.transaction().execute(async (trx) => {
    const store = panelReconcileStore(trx);
    const previous = await store.previousConditions(snapshot.id);
    const rows = results.map((r) =>
      nextCondition(snapshot.id, snapshot.generation, r, previous.get(r.target), now),
    );
    const deleted = deletionComplete(snapshot.deleting, results);
    const next = deleted
      ? null
      : planNextPass(results, rows, now, {
          backoff: deps.backoff ?? defaultBackoff,
          requeueDelayMs: deps.requeueDelayMs ?? 5_000,
          random: deps.random ?? Math.random,
        });
    const conditions = withNextAttempt(rows, results, next);
    await store.writeConditions(conditions, now);
    if (deleted) await store.markCustomerDeleted(snapshot.id, now);
    // preserve_run_at: a pass a mutation asked for meanwhile (due now) is not pushed back by a retry.
    // A retry after a failure is a full pass: a failed apply may have left anything behind.
    if (next)
      await enqueueReconcile(trx, snapshot.id, {
        runAt: next.runAt,
        keyMode: 'preserve_run_at',
        full: next.cause === 'retry',
      });
    return {
      customerId: snapshot.id,
      found: true,
      generation: snapshot.generation,
      results,
      conditions,
      next,
      deleted,
    };
  });
}
