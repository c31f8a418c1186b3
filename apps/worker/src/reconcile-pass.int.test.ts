// The outbox and single reconcile passes against a real PostgreSQL (engine called directly, so
// each pass is observed one at a time; worker.int.test.ts runs the same through graphile-worker).
import { loadCustomerSnapshot, type PanelDatabase } from '@hostplane/db';
import {
  customerStatusTarget,
  enqueueReconcile,
  type LoadSnapshot,
  type ReconcileDeps,
  reconcileCustomer,
  reconcileMetrics,
} from '@hostplane/reconcile';
import { createPanelScratchDb, insertCustomer, insertPlan, type PanelScratchDb } from '@hostplane/testing';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlakyTarget, SlowDeleteTarget } from './testing/test-targets.ts';

let fresh: PanelScratchDb;
let db: Kysely<PanelDatabase>;
let planId: number;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const never = new AbortController().signal;

beforeAll(async () => {
  fresh = await createPanelScratchDb('pass');
  db = fresh.db;
  planId = await insertPlan(db);
});
afterAll(async () => {
  await fresh?.drop();
});

interface JobRow {
  queue_name: string | null;
  key: string | null;
  run_at: Date;
  payload: { customerId: number; full: boolean };
}
async function jobsOf(customerId: number): Promise<JobRow[]> {
  const { rows } = await sql<JobRow>`
    select v.queue_name, v.key, v.run_at, j.payload
    from graphile_worker.jobs v join graphile_worker._private_jobs j on j.id = v.id
    where v.task_identifier = 'reconcile' and (j.payload->>'customerId')::int = ${customerId}`.execute(db);
  return rows;
}
async function conditionsOf(customerId: number) {
  return db
    .selectFrom('customer_conditions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('type')
    .execute();
}
function deps(targets: ReconcileDeps['targets'], extra: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return { db, targets, loadSnapshot: loadCustomerSnapshot as LoadSnapshot, logger, ...extra };
}

describe('enqueueReconcile (transactional outbox)', () => {
  it('enqueues nothing when the mutation rolls back', async () => {
    const id = await insertCustomer(db, planId, 'Rollback');
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('customers').set({ name: 'Renamed' }).where('id', '=', id).execute();
        await enqueueReconcile(trx, id);
        throw new Error('validation failed after the write');
      }),
    ).rejects.toThrow('validation failed');
    expect(await jobsOf(id)).toEqual([]);
    const row = await db
      .selectFrom('customers')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Rollback');
  });

  it('enqueues one job per customer on its own queue when the mutation commits, coalescing a burst', async () => {
    const id = await insertCustomer(db, planId, 'Burst');
    for (let i = 0; i < 5; i++) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('customers')
          .set({ generation: sql`generation + 1` })
          .where('id', '=', id)
          .execute();
        await enqueueReconcile(trx, id);
      });
    }
    const jobs = await jobsOf(id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      queue_name: `customer-${id}`,
      key: `reconcile-${id}`,
      payload: { customerId: id, full: false },
    });
  });

  it('keeps a pending job due now when a later retry is enqueued with preserve_run_at', async () => {
    const id = await insertCustomer(db, planId, 'Preserve');
    await enqueueReconcile(db, id);
    const [first] = await jobsOf(id);
    await enqueueReconcile(db, id, { runAt: new Date(Date.now() + 3_600_000), keyMode: 'preserve_run_at' });
    const after = await jobsOf(id);
    expect(after).toHaveLength(1);
    expect(after[0]?.run_at).toEqual(first?.run_at);
  });
});

describe('reconcileCustomer', () => {
  it('writes each target condition with the observed generation; lastTransitionTime moves only on status change', async () => {
    const id = await insertCustomer(db, planId, 'Ready');
    const report = await reconcileCustomer(deps([customerStatusTarget]), id, never);
    expect(report.found).toBe(true);
    const [first] = await conditionsOf(id);
    expect(first).toMatchObject({
      type: 'Customer',
      status: 'True',
      reason: 'Ready',
      observed_generation: 1,
      attempts: 0,
    });
    expect(first?.next_attempt_at).toBeNull();

    await db.updateTable('customers').set({ generation: 2 }).where('id', '=', id).execute();
    await reconcileCustomer(deps([customerStatusTarget]), id, never);
    const [second] = await conditionsOf(id);
    expect(second?.observed_generation).toBe(2);
    expect(second?.last_transition_time).toEqual(first?.last_transition_time);
    expect(second && first && second.updated_at > first.updated_at).toBe(true);

    // More sites than the plan allows: False / OverPlan naming the limit, and a new transition time.
    await db
      .insertInto('sites')
      .values(
        ['a', 'b', 'c'].map((name) => ({
          customer_id: id,
          name,
          template: 'static' as const,
          image: null,
          port: null,
          domains: [],
          www: false,
          replicas: 1,
          database: false,
          database_password: null,
        })),
      )
      .execute();
    await db.updateTable('customers').set({ generation: 3 }).where('id', '=', id).execute();
    await reconcileCustomer(deps([customerStatusTarget]), id, never);
    const [third] = await conditionsOf(id);
    expect(third).toMatchObject({ status: 'False', reason: 'OverPlan', observed_generation: 3 });
    expect(third?.message).toContain('sites: 3 of 2');
    expect(third?.last_transition_time).not.toEqual(second?.last_transition_time);
  });

  it('records a throwing target as False with its error, keeps the others, and backs off more each pass', async () => {
    const id = await insertCustomer(db, planId, 'Flaky');
    const flaky = new FlakyTarget('DNS', 3);
    const metrics = reconcileMetrics(new Registry());
    const passDeps = deps([flaky, customerStatusTarget], {
      backoff: { baseMs: 1_000, capMs: 3_000 },
      random: () => 1, // the ceiling itself, so growth is visible (full jitter is unit-tested)
      metrics,
    });
    const delays: number[] = [];
    for (let pass = 1; pass <= 3; pass++) {
      // Passes are called directly here: take the retry job away as a worker running it would.
      await sql`select graphile_worker.remove_job(${`reconcile-${id}`})`.execute(db);
      await reconcileCustomer(passDeps, id, never);
      const rows = await conditionsOf(id);
      const dns = rows.find((r) => r.type === 'DNS');
      expect(dns).toMatchObject({ status: 'False', reason: 'ReconcileFailed', attempts: pass });
      expect(dns?.last_error).toBe(`upstream unavailable (failure ${pass} of 3)`);
      expect(dns?.message).toContain('DNS pass failed');
      expect(rows.find((r) => r.type === 'Customer')).toMatchObject({
        status: 'True',
        reason: 'Ready',
        attempts: 0,
      });
      const nextAt = dns?.next_attempt_at;
      if (!nextAt || !dns) throw new Error('next_attempt_at not set');
      delays.push(nextAt.getTime() - dns.updated_at.getTime());
      // The retry is a real job due at next_attempt_at.
      const jobs = await jobsOf(id);
      expect(jobs.map((j) => j.run_at.getTime())).toEqual([nextAt.getTime()]);
      // A retry after a failure is a full pass: every target reads everything it owns.
      expect(jobs.map((j) => j.payload.full)).toEqual([true]);
    }
    expect(delays).toEqual([1_000, 2_000, 3_000]);

    await reconcileCustomer(passDeps, id, never);
    const dns = (await conditionsOf(id)).find((r) => r.type === 'DNS');
    expect(dns).toMatchObject({
      status: 'True',
      reason: 'Ready',
      attempts: 0,
      last_error: null,
      next_attempt_at: null,
    });
    const outcomes = await metrics.targetOutcomes.get();
    const count = (target: string, outcome: string) =>
      outcomes.values.find((v) => v.labels.target === target && v.labels.outcome === outcome)?.value;
    expect(count('DNS', 'Error')).toBe(3);
    expect(count('DNS', 'True')).toBe(1);
    expect(count('Customer', 'True')).toBe(4);
  });

  it('marks a deleting customer deleted once every target reported Deleted', async () => {
    const id = await insertCustomer(db, planId, 'Gone');
    const k8s = new SlowDeleteTarget('Kubernetes', 1);
    const passDeps = deps([customerStatusTarget, k8s]);
    await db.updateTable('customers').set({ deleting: true, generation: 2 }).where('id', '=', id).execute();

    const first = await reconcileCustomer(passDeps, id, never);
    expect(first.found && first.deleted).toBe(false);
    expect(first.found && first.next?.cause).toBe('requeue');
    const row = await db
      .selectFrom('customers')
      .select('deleted_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeNull();

    const second = await reconcileCustomer(passDeps, id, never);
    expect(second.found && second.deleted).toBe(true);
    const gone = await db
      .selectFrom('customers')
      .select('deleted_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(gone.deleted_at).toBeInstanceOf(Date);
    expect(await loadCustomerSnapshot(db, id)).toBeNull();
    // A later job for the customer finds nothing to do.
    expect(await reconcileCustomer(passDeps, id, never)).toEqual({ customerId: id, found: false });
  });
});
