// A scratch panel database on the stack's PostgreSQL for a benchmark: migrated, with one plan, dropped
// at the end. The DNS benchmarks keep their record of applied zones there, as `hostplane serve` does.
import type { PanelDatabase } from '@hostplane/db';
import { createPanelScratchDb } from '@hostplane/testing';
import type { Kysely } from 'kysely';

export interface ScratchPanelDb {
  db: Kysely<PanelDatabase>;
  planId: number;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** `label` names the database (`hp_<label>_<random>`); `databaseUrl` is the stack's DATABASE_URL. */
export async function scratchPanelDb(databaseUrl: string, label: string): Promise<ScratchPanelDb> {
  const scratch = await createPanelScratchDb(label, { max: 2, serverUrl: databaseUrl });
  const { id: planId } = await scratch.db
    .insertInto('plans')
    .values({ name: 'bench', limits: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { db: scratch.db, planId, drop: scratch.drop };
}
