// The worker process parts through graphile-worker against a real PostgreSQL: passes from the
// queue, retries that never run out, the per-customer queue across two workers, the resync,
// and a graceful stop.
import type { PanelDatabase } from '@hostplane/db';
import {
  customerStatusTarget,
  deleteAbandonedReconcileJobs,
  enqueueReconcile,
  enqueueResyncSlot,
  RESYNC_TASK,
  resyncSlotOfMinute,
} from '@hostplane/reconcile';
import {
  createPanelScratchDb,
  insertCustomer,
  insertPlan,
  type PanelScratchDb,
  waitFor,
} from '@hostplane/testing';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker, type WorkerDeps } from './start-worker.ts';
import { FlakyTarget, type PassInterval, PassKindTarget, TimedTarget } from './testing/test-targets.ts';

let fresh: PanelScratchDb;
let db: Kysely<PanelDatabase>;
let planId: number;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  fresh = await createPanelScratchDb('worker');
  db = fresh.db;
  planId = await insertPlan(db);
});
afterAll(async () => {
  await fresh?.drop();
});

/** A resync period (minutes) whose slots never come up while a test runs: ~1.9 years. */
const NO_RESYNC_MINUTES = 1_000_000;

async function withWorker<T>(deps: Partial<WorkerDeps>, body: (w: RunningWorker) => Promise<T>): Promise<T> {
  const worker = await startWorker({
    connectionString: fresh.url,
    db,
    targets: [customerStatusTarget],
    logger,
    registry: new Registry(),
    concurrency: 4,
    pollIntervalMs: 100,
    // The per-minute resync would enqueue a pass of its own for a customer whose slot comes up
    // during a test (id mod period): with a period this long no slot comes up in a test's lifetime.
    resyncMinutes: NO_RESYNC_MINUTES,
    ...deps,
  });
  try {
    return await body(worker);
  } finally {
    await worker.stop();
  }
}

async function condition(customerId: number, type: string) {
  return db
    .selectFrom('customer_conditions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('type', '=', type)
    .executeTakeFirst();
}

describe('startWorker', () => {
  it('runs the reconcile a committed mutation enqueued and reports queue depth', async () => {
    const id = await insertCustomer(db, planId, 'Queued');
    const registry = new Registry();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('customers').set({ generation: 4 }).where('id', '=', id).execute();
      await enqueueReconcile(trx, id);
    });
    await withWorker({ registry }, async () => {
      const row = await waitFor('Customer condition', async () => {
        const c = await condition(id, 'Customer');
        return c?.observed_generation === 4 ? c : undefined;
      });
      expect(row).toMatchObject({ status: 'True', reason: 'Ready' });
      const text = await registry.metrics();
      expect(text).toMatch(/hostplane_queue_depth\{state="ready"\} \d+/);
      expect(text).toMatch(/hostplane_reconcile_outcomes_total\{target="Customer",outcome="True"\} [1-9]/);
      expect(text).toContain('hostplane_reconcile_duration_seconds_bucket');
    });
  });

  it('keeps retrying a failing target through the queue until it succeeds', async () => {
    const id = await insertCustomer(db, planId, 'Retry');
    const flaky = new FlakyTarget('Mail', 4);
    await enqueueReconcile(db, id);
    await withWorker(
      { targets: [flaky, customerStatusTarget], backoff: { baseMs: 100, capMs: 400 } },
      async () => {
        const row = await waitFor('Mail condition to recover', async () => {
          const c = await condition(id, 'Mail');
          return c?.status === 'True' ? c : undefined;
        });
        expect(row).toMatchObject({ reason: 'Ready', attempts: 0, last_error: null, next_attempt_at: null });
        expect(flaky.runs).toBe(5);
      },
    );
  });

  it('never runs one customer on two workers at once, while different customers run in parallel', async () => {
    const ids = [
      await insertCustomer(db, planId, 'OverlapA'),
      await insertCustomer(db, planId, 'OverlapB'),
      await insertCustomer(db, planId, 'OverlapC'),
    ];
    const intervals: PassInterval[] = [];
    const common = { requeueDelayMs: 1, concurrency: 3 };
    const first = await startWorker({
      ...common,
      connectionString: fresh.url,
      db,
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
      targets: [new TimedTarget('Kubernetes', 'w1', 120, intervals, 5)],
    });
    const second = await startWorker({
      ...common,
      connectionString: fresh.url,
      db,
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
      targets: [new TimedTarget('Kubernetes', 'w2', 120, intervals, 5)],
    });
    try {
      // Mutations keep arriving while passes run: a running job's key is released, so a second job of
      // the same customer exists and is ready; only the customer's queue lock keeps it waiting.
      const deadline = Date.now() + 2_500;
      while (Date.now() < deadline) {
        for (const id of ids) await enqueueReconcile(db, id);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await waitFor('queues to drain', async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from graphile_worker.jobs where task_identifier = 'reconcile'`.execute(
          db,
        );
        return rows[0]?.n === 0 ? true : undefined;
      });
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    for (const id of ids) {
      const mine = intervals.filter((i) => i.customerId === id).sort((a, b) => a.start - b.start);
      expect(mine.length).toBeGreaterThanOrEqual(6);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]?.start, `customer ${id} pass ${i} overlaps the previous one`).toBeGreaterThanOrEqual(
          mine[i - 1]?.end ?? Number.POSITIVE_INFINITY,
        );
      }
    }
    // The test could fail: passes of different customers did overlap, and both workers took part.
    const overlapsAcrossCustomers = intervals.some((a) =>
      intervals.some((b) => a.customerId !== b.customerId && a.start < b.end && b.start < a.end),
    );
    expect(overlapsAcrossCustomers).toBe(true);
    expect(new Set(intervals.map((i) => i.worker))).toEqual(new Set(['w1', 'w2']));
  });

  it('resyncs the customers of the minute slot the cron fired for, and registers the cron', async () => {
    const period = 3;
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await insertCustomer(db, planId, `Resync${i}`));
    const firedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const slot = resyncSlotOfMinute(firedAt, period);
    const due = ids.filter((id) => id % period === slot);
    const notDue = ids.filter((id) => id % period !== slot);
    const intervals: PassInterval[] = [];
    await withWorker(
      { resyncMinutes: period, targets: [new TimedTarget('Backup', 'w', 1, intervals)] },
      async () => {
        // The job the cron adds each minute (graphile-worker puts the minute in `_cron.ts`).
        await sql`select graphile_worker.add_job(${RESYNC_TASK}, json_build_object('_cron', json_build_object('ts', ${firedAt.toISOString()}::text, 'backfilled', false)))`.execute(
          db,
        );
        await waitFor('due customers reconciled', async () =>
          due.every((id) => intervals.some((i) => i.customerId === id)) ? true : undefined,
        );
        const { rows } = await sql<{
          identifier: string;
        }>`select identifier from graphile_worker._private_known_crontabs`.execute(db);
        expect(rows.map((r) => r.identifier)).toContain(RESYNC_TASK);
      },
    );
    expect(due.length).toBe(2);
    expect(intervals.filter((i) => notDue.includes(i.customerId))).toEqual([]);
  });

  it('runs a mutation as a change pass and the resync as a full pass, even after a mutation replaced its job', async () => {
    const mutated = await insertCustomer(db, planId, 'ChangePass');
    const recorder = new PassKindTarget('DNS');
    await enqueueReconcile(db, mutated);
    await withWorker({ targets: [recorder] }, async () => {
      await waitFor('change pass', async () => (recorder.passes.length > 0 ? true : undefined));
    });
    expect(recorder.passes).toEqual([{ customerId: mutated, pass: 'change' }]);

    // The resync enqueues a full pass; a mutation right after it replaces the pending job but
    // keeps it full, so drift is still repaired.
    const resynced = await insertCustomer(db, planId, 'FullPass');
    const period = 1_000_003;
    await enqueueResyncSlot(db, resynced % period, period);
    await enqueueReconcile(db, resynced);
    const full = new PassKindTarget('DNS');
    await withWorker({ targets: [full] }, async () => {
      await waitFor('full pass', async () => (full.passes.length > 0 ? true : undefined));
    });
    expect(full.passes).toEqual([{ customerId: resynced, pass: 'full' }]);
  });

  it('lets an in-flight pass finish on stop()', async () => {
    const id = await insertCustomer(db, planId, 'Graceful');
    const intervals: PassInterval[] = [];
    const worker = await startWorker({
      connectionString: fresh.url,
      db,
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
      targets: [new TimedTarget('DNS', 'w', 1_500, intervals)],
    });
    await enqueueReconcile(db, id);
    await waitFor('the pass to start', async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker.jobs where locked_by is not null and queue_name = ${`customer-${id}`}`.execute(
        db,
      );
      return rows[0]?.n === 1 ? true : undefined;
    });
    await worker.stop();
    expect(intervals).toHaveLength(1);
    expect(await condition(id, 'DNS')).toMatchObject({ status: 'True', reason: 'Ready' });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker.jobs where queue_name = ${`customer-${id}`}`.execute(db);
    expect(rows[0]?.n).toBe(0);
  });

  it('releases a pass still running when the shutdown grace ends; the next worker runs it again', async () => {
    const id = await insertCustomer(db, planId, 'Released');
    const intervals: PassInterval[] = [];
    const worker = await startWorker({
      connectionString: fresh.url,
      db,
      logger,
      registry: new Registry(),
      pollIntervalMs: 50,
      resyncMinutes: NO_RESYNC_MINUTES,
      shutdownAbortMs: 300,
      targets: [new TimedTarget('DNS', 'first', 60_000, intervals)],
    });
    await enqueueReconcile(db, id);
    const queue = `customer-${id}`;
    await waitFor('the pass to start', async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker.jobs where locked_by is not null and queue_name = ${queue}`.execute(
        db,
      );
      return rows[0]?.n === 1 ? true : undefined;
    });
    const stopping = Date.now();
    await worker.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    // Aborted, nothing written, the job is back in the queue (unlocked, one attempt used).
    expect(await condition(id, 'DNS')).toBeUndefined();
    const { rows } = await sql<{ locked_by: string | null; attempts: number; last_error: string }>`
      select locked_by, attempts, last_error from graphile_worker.jobs where queue_name = ${queue}`.execute(
      db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ locked_by: null, attempts: 1 });
    expect(rows[0]?.last_error).toContain('aborted by shutdown');

    await withWorker({ targets: [new TimedTarget('DNS', 'second', 1, intervals)] }, async () => {
      await waitFor(
        'the released pass to complete',
        async () => (await condition(id, 'DNS')) ?? undefined,
        30_000,
      );
    });
    expect(intervals.map((i) => i.worker)).toEqual(['first', 'second']);
  });

  it('deletes only reconcile jobs graphile-worker gave up on over an hour ago', async () => {
    const [stale, recent, live] = [
      await insertCustomer(db, planId, 'Stale'),
      await insertCustomer(db, planId, 'Recent'),
      await insertCustomer(db, planId, 'Live'),
    ];
    for (const id of [stale, recent, live])
      await enqueueReconcile(db, id, { runAt: new Date(Date.now() + 3_600_000) });
    const giveUp = (id: number, age: string) =>
      sql`
      update graphile_worker._private_jobs set attempts = max_attempts, updated_at = now() - ${age}::interval
      where key = ${`reconcile-${id}`}`.execute(db);
    await giveUp(stale, '2 hours');
    await giveUp(recent, '5 minutes');
    expect(await deleteAbandonedReconcileJobs(db)).toBe(1);
    const { rows } = await sql<{ key: string }>`
      select key from graphile_worker.jobs where key = any(${[stale, recent, live].map((id) => `reconcile-${id}`)}) order by key`.execute(
      db,
    );
    expect(rows.map((r) => r.key).sort()).toEqual([`reconcile-${live}`, `reconcile-${recent}`].sort());
    await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key = any(${[`reconcile-${live}`, `reconcile-${recent}`]})`.execute(
      db,
    );
  });
});
