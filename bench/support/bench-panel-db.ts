// A scratch panel database on the stack's PostgreSQL for a benchmark: migrated, with one plan, dropped
// at the end. The DNS benchmarks keep their record of applied zones there, as `hostplane serve` does.
import { randomBytes } from 'node:crypto';
import { createPanelDb, migratePanelDb, type PanelDatabase } from '@hostplane/db';
import type { Kysely } from 'kysely';
import pg from 'pg';

export interface ScratchPanelDb {
  db: Kysely<PanelDatabase>;
  planId: number;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function adminQuery(databaseUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** `prefix` names the database (`<prefix>_<random>`); `databaseUrl` is the stack's DATABASE_URL. */
export async function scratchPanelDb(databaseUrl: string, prefix: string): Promise<ScratchPanelDb> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await adminQuery(databaseUrl, `create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = createPanelDb(url.toString(), { max: 2 });
  await migratePanelDb(db);
  const { id: planId } = await db
    .insertInto('plans')
    .values({ name: 'bench', limits: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    db,
    planId,
    drop: async () => {
      await db.destroy();
      await adminQuery(databaseUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
