import { createScratchDb, type ScratchDb } from '@hostplane/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPanelDb } from './connect.ts';
import { migratePanelDb } from './migrate.ts';
import type { PanelDatabase } from './schema.ts';

// An empty database: the test runs the migrations itself.
let scratch: ScratchDb;
let db: Kysely<PanelDatabase>;

beforeAll(async () => {
  scratch = await createScratchDb('test');
  db = createPanelDb(scratch.url, { max: 3 });
});
afterAll(async () => {
  await db.destroy();
  await scratch.drop();
});

describe('migratePanelDb', () => {
  it('applies the panel and graphile-worker schemas, and is safe to run again (also concurrently)', async () => {
    await migratePanelDb(db);
    await Promise.all([migratePanelDb(db), migratePanelDb(db)]);
    const tables = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'api_tokens',
        'plans',
        'customers',
        'customer_conditions',
        'sites',
        'domains',
        'dns_records',
        'mailboxes',
        'aliases',
        'backups',
        'restores',
        'audit_log',
        'idempotency_keys',
      ]),
    );
    const jobs = await sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker._private_jobs`.execute(db);
    expect(jobs.rows[0]!.n).toBe(0);
  });

  it('numbers customers from 1001 and keeps domain names unique across customers', async () => {
    const plan = await db
      .insertInto('plans')
      .values({ name: 'p', limits: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const a = await db
      .insertInto('customers')
      .values({ name: 'a', email: 'a@x.test', plan_id: plan.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const b = await db
      .insertInto('customers')
      .values({ name: 'b', email: 'b@x.test', plan_id: plan.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect([a.id, b.id]).toEqual([1001, 1002]);
    await db
      .insertInto('domains')
      .values({ customer_id: a.id, name: 'same.test', dns: true, mail: false, dnssec: false })
      .execute();
    await expect(
      db
        .insertInto('domains')
        .values({ customer_id: b.id, name: 'same.test', dns: true, mail: false, dnssec: false })
        .execute(),
    ).rejects.toThrow(/domains_name_key/);
    await expect(
      db
        .insertInto('users')
        .values({ email: 'Upper@X.test', password_hash: 'h', role: 'admin', customer_id: null })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      db
        .insertInto('users')
        .values({ email: 'c@x.test', password_hash: 'h', role: 'customer', customer_id: null })
        .execute(),
    ).rejects.toThrow(/check/);
  });
});
