import { sql } from 'kysely';
import type { PanelDb } from './db.ts';

/** The graphile-worker task that reconciles one customer. */
export const RECONCILE_TASK = 'reconcile';

/** One queue per customer: graphile-worker runs jobs of one queue serially, across every worker process. */
export function customerQueueName(customerId: number): string {
  return `customer-${customerId}`;
}

/** One pending job per customer: a burst of mutations replaces the pending job instead of piling up. */
export function reconcileJobKey(customerId: number): string {
  return `reconcile-${customerId}`;
}

export interface EnqueueOptions {
  /** When the pass may start; default now. */
  runAt?: Date;
  /**
   * `replace` (default, for mutations and admin requests): a pending job takes this run_at.
   * `preserve_run_at` (for the engine's own retries and the resync): a pending job keeps its run_at,
   * so a retry scheduled later never delays a pass a mutation asked for meanwhile.
   */
  keyMode?: 'replace' | 'preserve_run_at';
  /**
   * A full pass (every target reads everything it owns): the resync and retries after a failure ask
   * for one. A pending job keeps its full flag when a mutation replaces it, so a burst of mutations
   * never turns a pending resync into a change pass.
   */
  full?: boolean;
}

/**
 * Asks for a reconcile pass of one customer. Runs inside the caller's connection or transaction
 * (transactional outbox): a mutation that rolls back enqueues nothing. The job key with mode
 * `replace` coalesces a burst of mutations into one pending job (its run_at is the latest asked);
 * a job already running is not touched, graphile-worker adds a fresh one after it.
 */
export async function enqueueReconcile(
  db: PanelDb,
  customerId: number,
  opts: EnqueueOptions = {},
): Promise<void> {
  if (!Number.isSafeInteger(customerId) || customerId <= 0) {
    throw new Error(`enqueueReconcile: invalid customer id ${String(customerId)}`);
  }
  const runAt = opts.runAt ?? null;
  const key = reconcileJobKey(customerId);
  await sql`select graphile_worker.add_job(
    ${RECONCILE_TASK},
    json_build_object('customerId', ${customerId}::int, 'full', ${opts.full === true}::boolean or coalesce(
      (select (j.payload->>'full')::boolean from graphile_worker._private_jobs j
       where j.key = ${key} and j.locked_at is null),
      false)),
    queue_name => ${customerQueueName(customerId)},
    run_at => coalesce(${runAt}::timestamptz, now()),
    max_attempts => 25,
    job_key => ${key},
    job_key_mode => ${opts.keyMode ?? 'replace'}
  )`.execute(db);
}
