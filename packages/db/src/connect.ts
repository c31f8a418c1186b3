import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { preparingPool } from './prepared.ts';
import type { PanelDatabase } from './schema.ts';

const INT8_OID = 20;

// bigint columns (quota bytes, count(*)) stay far below 2^53 here: read them as numbers, on this
// pool only, without touching pg's global type parsers that other rooms share.
const panelTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number.parseInt(value, 10);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const pools = new WeakMap<Kysely<PanelDatabase>, pg.Pool>();

export interface PanelDbOptions {
  /** Pool size; default 10. */
  max?: number;
  /** An idle connection failed (server restart, network): the pool drops it and makes a new one. */
  onIdleError?: (err: Error) => void;
}

/** A Kysely handle on the panel database; `destroy()` closes its pool. */
export function createPanelDb(url: string, opts: PanelDbOptions = {}): Kysely<PanelDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types: panelTypes });
  const onIdleError =
    opts.onIdleError ?? ((err: Error) => console.error(`panel database: connection failed: ${err.message}`));
  // Without these listeners an idle client's error (server restart) would crash the process; a
  // checked-out client's error still surfaces in its query.
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', onIdleError));
  // Prepared reads (prepared.ts) go out as named statements; everything else as before.
  const db = new Kysely<PanelDatabase>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool behind a handle made by createPanelDb (graphile-worker wants one). */
export function poolOf(db: Kysely<PanelDatabase>): pg.Pool | undefined {
  return pools.get(db);
}

/** One round trip to the panel's PostgreSQL (the readiness probe); throws when it cannot answer. */
export async function pingPanelDb(db: Kysely<PanelDatabase>): Promise<void> {
  await sql`select 1`.execute(db);
}
