// The graphile-worker tasks of the reconciler: `reconcile` (one customer) and the per-minute resync.

import type { TaskList } from 'graphile-worker';
import { sql } from 'kysely';
import { z } from 'zod';
import type { PanelDb } from './db.ts';
import { type ReconcileDeps, reconcileCustomer } from './engine.ts';
import { customerQueueName, RECONCILE_TASK, reconcileJobKey } from './enqueue.ts';
import { RESYNC_TASK, resyncSlotOfMinute } from './resync.ts';

// `full`: a resync or a retry after a failure (every target reads everything); absent: a change pass.
const reconcilePayload = z.object({ customerId: z.number().int().positive(), full: z.boolean().optional() });
// graphile-worker adds `_cron.ts`, the minute the cron item fired for (also when it is backfilled).
const resyncPayload = z.object({ _cron: z.object({ ts: z.iso.datetime({ offset: true }) }).optional() });

export interface ReconcileTaskDeps extends ReconcileDeps {
  /** Every customer is reconciled at least once per this many minutes; default 10. */
  resyncMinutes: number;
}

/**
 * Enqueues a pass for every customer whose slot is `slot`, in one statement. The queue name and the
 * job key are those of enqueueReconcile (tests check it); preserve_run_at keeps a pending retry's
 * backoff. Returns how many were enqueued.
 */
export async function enqueueResyncSlot(db: PanelDb, slot: number, periodMinutes: number): Promise<number> {
  const queuePrefix = customerQueueName(0).replace(/0$/, '');
  const keyPrefix = reconcileJobKey(0).replace(/0$/, '');
  const { rows } = await sql<{ id: number }>`
    select c.id, graphile_worker.add_job(
      ${RECONCILE_TASK},
      json_build_object('customerId', c.id, 'full', true),
      queue_name => ${queuePrefix} || c.id,
      job_key => ${keyPrefix} || c.id,
      job_key_mode => 'preserve_run_at'
    ) is not null as added
    from customers c
    where c.deleted_at is null and c.id % ${periodMinutes}::int = ${slot}::int
    order by c.id`.execute(db);
  return rows.length;
}

/**
 * Deletes reconcile jobs graphile-worker gave up on more than an hour ago. They arise when a running
 * job is superseded by a newer one (graphile-worker then marks the old one as out of attempts) and
 * that old one fails or its worker dies; the newer job carries the work, so the old row is only
 * clutter. Same statement as graphile-worker's DELETE_PERMAFAILED_JOBS cleanup, limited to our task.
 */
export async function deleteAbandonedReconcileJobs(db: PanelDb): Promise<number> {
  const result = await sql`
    delete from graphile_worker._private_jobs jobs
    using graphile_worker._private_tasks tasks
    where tasks.id = jobs.task_id and tasks.identifier = ${RECONCILE_TASK}
      and jobs.attempts >= jobs.max_attempts and jobs.locked_at is null
      and jobs.updated_at < now() - interval '1 hour'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export function reconcileTaskList(deps: ReconcileTaskDeps): TaskList {
  return {
    [RECONCILE_TASK]: async (payload, helpers) => {
      const { customerId, full } = reconcilePayload.parse(payload);
      await reconcileCustomer(deps, customerId, helpers.abortSignal, full === true ? 'full' : 'change');
    },
    [RESYNC_TASK]: async (payload) => {
      const parsed = resyncPayload.parse(payload);
      const firedAt = parsed._cron ? new Date(parsed._cron.ts) : new Date();
      const slot = resyncSlotOfMinute(firedAt, deps.resyncMinutes);
      const count = await enqueueResyncSlot(deps.db, slot, deps.resyncMinutes);
      // Once per period is plenty for the clean-up.
      const abandoned = slot === 0 ? await deleteAbandonedReconcileJobs(deps.db) : 0;
      deps.logger.info(
        { slot, periodMinutes: deps.resyncMinutes, customers: count, abandoned },
        'resync slot enqueued',
      );
    },
  };
}
