// A worker process killed (SIGKILL) in the middle of a job: after a new worker starts, the job runs
// again and completes promptly — not after graphile-worker's 4-hour stale-lock timeout.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { PanelDatabase } from '@hostplane/db';
import { enqueueReconcile } from '@hostplane/reconcile';
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
import { startWorker } from './start-worker.ts';
import { type PassInterval, TimedTarget } from './testing/test-targets.ts';

const childScript = fileURLToPath(new URL('./testing/worker-child.ts', import.meta.url));
let fresh: PanelScratchDb;
let db: Kysely<PanelDatabase>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fresh = await createPanelScratchDb('kill');
  db = fresh.db;
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fresh?.drop();
});

function startChild(hangMs: number): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    env: {
      ...process.env,
      DATABASE_URL: fresh.url,
      HANG_MS: String(hangMs),
      LOCK_GRACE_MS: '500',
      LOCK_SWEEP_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return { child, output: () => out };
}

async function lockOf(customerId: number): Promise<string | null | undefined> {
  const { rows } = await sql<{ locked_by: string | null }>`
    select locked_by from graphile_worker.jobs where queue_name = ${`customer-${customerId}`}`.execute(db);
  return rows[0]?.locked_by;
}

describe('a worker killed in the middle of a job', () => {
  it('leaves the job to the next worker, which runs it again to completion', async () => {
    const id = await insertCustomer(db, await insertPlan(db), 'Killed');
    await enqueueReconcile(db, id);

    const first = startChild(600_000);
    await waitFor('the first worker to start the pass', async () =>
      first.output().includes(`PASS_STARTED ${id}`) ? true : undefined,
    );
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    // The dead worker's lock is still on the job (graphile-worker alone would keep it 4 hours).
    expect(await lockOf(id)).toMatch(/^pool-/);
    expect(
      await db.selectFrom('customer_conditions').selectAll().where('customer_id', '=', id).executeTakeFirst(),
    ).toBeUndefined();

    const second = startChild(0);
    const secondPid = second.child.pid;
    const condition = await waitFor(
      'the pass to run again and complete',
      async () => {
        const row = await db
          .selectFrom('customer_conditions')
          .selectAll()
          .where('customer_id', '=', id)
          .where('type', '=', 'Kubernetes')
          .executeTakeFirst();
        return row?.status === 'True' ? row : undefined;
      },
      30_000,
    );
    expect(condition.message).toBe(`converged by pid ${secondPid}`);
    expect(second.output()).toContain(`PASS_STARTED ${id} ${secondPid}`);
    await waitFor('the job to be gone', async () => ((await lockOf(id)) === undefined ? true : undefined));

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
  });

  it('is told apart from a live worker whose pass is merely slow: that job is never taken over', async () => {
    const id = await insertCustomer(db, await insertPlan(db), 'Slow');
    const intervals: PassInterval[] = [];
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const common = {
      connectionString: fresh.url,
      db,
      logger,
      pollIntervalMs: 50,
      lockGraceMs: 200,
      lockSweepMs: 200,
      // No resync cron: a tick for this customer's minute slot during the test would be a second pass
      // of the slow worker (seen under load: ['slow', 'slow']), not a take-over.
      resyncMinutes: 1_000_000,
    };
    const slow = await startWorker({
      ...common,
      registry: new Registry(),
      targets: [new TimedTarget('DNS', 'slow', 2_500, intervals)],
    });
    // The other worker starts only once the slow one holds the job, so the pass is the slow one's
    // for sure; the other worker's sweeps then run while that pass goes far past the grace period.
    let sweeper: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      await enqueueReconcile(db, id);
      const lockedBy = await waitFor('the slow pass to start', async () => (await lockOf(id)) ?? undefined);
      sweeper = await startWorker({
        ...common,
        registry: new Registry(),
        targets: [new TimedTarget('DNS', 'other', 1, intervals)],
      });
      // Several sweeps of the other worker happen while the pass runs far past the grace period: the
      // lock stays the slow worker's, read again and again until the pass ends.
      const holders = new Set<string | null | undefined>();
      await waitFor('the slow pass to finish', async () => {
        if (intervals.length > 0) return true;
        holders.add(await lockOf(id));
        return undefined;
      });
      expect([...holders].filter((holder) => holder !== undefined)).toEqual([lockedBy]);
    } finally {
      await Promise.all([slow.stop(), sweeper?.stop()]);
    }
    expect(intervals.map((i) => i.worker)).toEqual(['slow']);
  });
});
