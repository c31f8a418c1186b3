// The periodic resync through graphile-worker's real cron (one slot per minute): with a period of one
// minute, a customer nobody enqueued is reconciled at the next minute boundary. Takes up to a minute.
import type { PanelDatabase } from '@hostplane/db';
import { customerStatusTarget } from '@hostplane/reconcile';
import {
  createPanelScratchDb,
  insertCustomer,
  insertPlan,
  type PanelScratchDb,
  waitFor,
} from '@hostplane/testing';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from './start-worker.ts';

let fresh: PanelScratchDb;
let db: Kysely<PanelDatabase>;

beforeAll(async () => {
  fresh = await createPanelScratchDb('cron');
  db = fresh.db;
});
afterAll(async () => {
  await fresh?.drop();
});

describe('periodic resync', () => {
  it('reconciles every customer once a period without any mutation', async () => {
    const planId = await insertPlan(db);
    const ids = [await insertCustomer(db, planId, 'CronA'), await insertCustomer(db, planId, 'CronB')];
    const worker = await startWorker({
      connectionString: fresh.url,
      db,
      targets: [customerStatusTarget],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      registry: new Registry(),
      resyncMinutes: 1,
      pollIntervalMs: 200,
    });
    try {
      const rows = await waitFor(
        'the cron to resync both customers',
        async () => {
          const found = await db
            .selectFrom('customer_conditions')
            .selectAll()
            .where('customer_id', 'in', ids)
            .execute();
          return found.length === ids.length ? found : undefined;
        },
        75_000,
      );
      expect(rows.every((r) => r.type === 'Customer' && r.status === 'True')).toBe(true);
    } finally {
      await worker.stop();
    }
  }, 90_000);
});
