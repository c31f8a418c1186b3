// Prepared reads for the API's hottest paths (issue 10: the bearer token lookup and the customer
// read run on every request). Each query is still written once with Kysely, but built and compiled
// only on its first call; later calls send the same SQL text with their own parameter, and the pool
// of createPanelDb turns that text into a named prepared statement (PostgreSQL parses and plans it
// once per connection, and the Parse message is no longer sent). Rows come back exactly as Kysely
// would return them: same driver, same type parsers.
import {
  type Compilable,
  CompiledQuery,
  createQueryId,
  type Kysely,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type Transaction,
} from 'kysely';
import type pg from 'pg';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** SQL text → statement name, for every prepared read compiled so far in this process. */
const statementNames = new Map<string, string>();

/** Stands for the caller's parameter while the query is compiled once (a value no caller sends). */
const SLOT = '\u0000hostplane-prepared-parameter\u0000';

/**
 * A read with one parameter, compiled on first use. `build` receives the parameter it must place in
 * the query; it is called once, with a placeholder, so it must not branch on the value.
 */
export function preparedRead<P extends string | number, R>(
  name: string,
  build: (db: Db, parameter: P) => Compilable<R>,
): (db: Db, parameter: P) => Promise<R[]> {
  let compiled: { sql: string; parameters: readonly unknown[]; query: CompiledQuery['query'] } | undefined;
  return async (db, parameter) => {
    if (!compiled) {
      const { sql, parameters } = build(db, SLOT as P).compile();
      if (!parameters.includes(SLOT))
        throw new Error(`prepared read ${name}: its parameter is not in the query`);
      const taken = statementNames.get(sql);
      if (taken && taken !== name) throw new Error(`prepared read ${name}: same SQL as ${taken}`);
      statementNames.set(sql, name);
      compiled = { sql, parameters, query: CompiledQuery.raw(sql).query };
    }
    const parameters = compiled.parameters.map((p) => (p === SLOT ? parameter : p));
    // CompiledQuery.raw without its per-call node building and freezing: the node is the same.
    const query: CompiledQuery<R> = {
      sql: compiled.sql,
      query: compiled.query,
      parameters,
      queryId: createQueryId(),
    };
    const { rows } = await db.executeQuery<R>(query);
    return rows;
  };
}

/** The name of a prepared read's statement, when `sql` is one. */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

/**
 * The pool as Kysely's PostgresDialect sees it: a checked-out client sends a prepared read's SQL as
 * a named statement; every other query goes through unchanged.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  // One wrapper per pg client: Kysely keeps its connection object per client it is given.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const query = (config: string | PostgresCursor<unknown>, values?: readonly unknown[]) => {
      const name = typeof config === 'string' ? statementNames.get(config) : undefined;
      if (name && typeof config === 'string')
        return client.query({ name, text: config, values: [...(values ?? [])] });
      // Anything else (a cursor, an unprepared query) as Kysely sent it.
      return (client.query as (c: unknown, v?: unknown) => unknown)(config, values && [...values]);
    };
    // `release(true)` (Kysely discarding a broken connection) makes the pool destroy the client.
    const release = (destroy?: boolean) => client.release(destroy);
    return { query: query as PostgresPoolClient['query'], release };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = wrappers.get(client);
      if (!wrapped) {
        wrapped = wrap(client);
        wrappers.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}
