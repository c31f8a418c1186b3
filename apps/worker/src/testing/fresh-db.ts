// Test fixtures over a real PostgreSQL: a fresh, migrated database per test file.
import { randomBytes } from 'node:crypto';
import { createPanelDb, migratePanelDb, type PanelDatabase, poolOf } from '@hostplane/db';
import type { PlanLimits } from '@hostplane/domain';
import { loadStackEnv } from '@hostplane/testing';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** The local stack's PostgreSQL, or HOSTPLANE_TEST_DATABASE_URL (a throwaway server) when set. */
export function testServerUrl(): string {
  return process.env.HOSTPLANE_TEST_DATABASE_URL ?? loadStackEnv().DATABASE_URL;
}

export interface FreshDb {
  url: string;
  db: Kysely<PanelDatabase>;
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Creates and migrates a database of its own; drop() closes the handle and removes it. */
export async function createFreshDb(label: string): Promise<FreshDb> {
  const serverUrl = testServerUrl();
  const name = `hp_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createPanelDb(url.toString());
  const pool = poolOf(db);
  if (!pool) throw new Error('createPanelDb gave no pool');
  await migratePanelDb(db);
  return {
    url: url.toString(),
    db,
    pool,
    async drop() {
      await db.destroy();
      await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

export const smallPlan: PlanLimits = {
  cpu: '2',
  memory: '4Gi',
  storage: '20Gi',
  sites: 2,
  domains: 2,
  mailboxes: 2,
  mailboxQuota: '1Gi',
  databases: 1,
  backupRetentionDays: 7,
};

export async function insertPlan(db: Kysely<PanelDatabase>, limits: PlanLimits = smallPlan): Promise<number> {
  const row = await db
    .insertInto('plans')
    .values({
      name: `plan-${randomBytes(3).toString('hex')}`,
      limits: JSON.stringify(limits),
      owner_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertCustomer(
  db: Kysely<PanelDatabase>,
  planId: number,
  name = 'Acme',
): Promise<number> {
  const row = await db
    .insertInto('customers')
    .values({ name, email: `${name.toLowerCase()}@example.test`, plan_id: planId, owner_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
