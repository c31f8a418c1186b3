// Databases of a test file's own on the stack's PostgreSQL (or HOSTPLANE_TEST_DATABASE_URL, a
// throwaway server), so files never see each other's rows. The one place tests and benchmarks create
// and drop them (issue 10 named seven copies of this).
import { randomBytes } from 'node:crypto';
import { createPanelDb, migratePanelDb, type PanelDatabase, poolOf } from '@hostplane/db';
import type { PlanLimits } from '@hostplane/domain';
import { loadStackEnv } from '@hostplane/localstack/stack-env';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** The PostgreSQL server the tests use: HOSTPLANE_TEST_DATABASE_URL, else the local stack's. */
export function testServerUrl(): string {
  return process.env.HOSTPLANE_TEST_DATABASE_URL ?? loadStackEnv().DATABASE_URL;
}

/** Runs one statement on a connection of its own (closed after), e.g. create/drop database. */
export async function queryOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

export interface ScratchDb {
  name: string;
  /** The database's connection URL. */
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

/** An empty database `hp_<label>_<random>`: nothing migrated, nothing connected. */
export async function createScratchDb(label: string, serverUrl = testServerUrl()): Promise<ScratchDb> {
  const name = `hp_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await queryOnce(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await queryOnce(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

export interface PanelScratchDb extends ScratchDb {
  db: Kysely<PanelDatabase>;
  pool: pg.Pool;
}

/** A scratch database with the panel's schema migrated; drop() also closes the handle. */
export async function createPanelScratchDb(
  label: string,
  options: { max?: number; serverUrl?: string } = {},
): Promise<PanelScratchDb> {
  const scratch = await createScratchDb(label, options.serverUrl);
  const db = createPanelDb(scratch.url, options.max === undefined ? {} : { max: options.max });
  const pool = poolOf(db);
  if (!pool) throw new Error('createPanelDb gave no pool');
  await migratePanelDb(db);
  return {
    ...scratch,
    db,
    pool,
    async drop() {
      await db.destroy();
      await scratch.drop();
    },
  };
}

// The rows most tests start from: a plan and a customer on it.

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

/** A plan of a unique name (owned by the platform). */
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

/** A customer `name` <name@example.test> on the plan. */
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
