import mysql from 'mysql2/promise';
import { MAIL_TABLES, type MailMigration, mailMigrations } from './migrations.ts';

export interface MigrateMailDbOptions {
  /** Read-only accounts (Postfix, Dovecot) that get SELECT on the mail tables: `user` (any host) or
   * `user@host`, e.g. ['mail_ro']. Needs a connection allowed to GRANT (the DB admin in the cluster;
   * locally the MariaDB component grants SELECT on the whole database itself). */
  readonlyUsers?: string[];
  migrations?: readonly MailMigration[];
}

export interface MigrateMailDbResult {
  applied: string[];
  grantedTo: string[];
}

const LOCK_NAME = 'hostplane_mail_schema';
const LOCK_TIMEOUT_SECONDS = 60;

/** Brings the mail database at `url` (mysql://user:pass@host:port/db) to the newest schema.
 * Idempotent: a second run applies nothing. Concurrent runs serialise on a named lock. */
export async function migrateMailDb(
  url: string,
  options: MigrateMailDbOptions = {},
): Promise<MigrateMailDbResult> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: false });
  try {
    await acquireLock(connection);
    try {
      const applied = await applyPending(connection, options.migrations ?? mailMigrations);
      const grantedTo = await grantReadonly(connection, options.readonlyUsers ?? []);
      return { applied, grantedTo };
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await connection.end();
  }
}

async function acquireLock(connection: mysql.Connection): Promise<void> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [
    LOCK_NAME,
    LOCK_TIMEOUT_SECONDS,
  ]);
  if (rows[0]?.got !== 1) {
    throw new Error(`mail schema: could not take lock ${LOCK_NAME} within ${LOCK_TIMEOUT_SECONDS}s`);
  }
}

async function applyPending(
  connection: mysql.Connection,
  migrations: readonly MailMigration[],
): Promise<string[]> {
  await connection.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      id VARCHAR(100) NOT NULL PRIMARY KEY,
      applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
    ) ENGINE=InnoDB`,
  );
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT id FROM schema_migrations');
  const done = new Set(rows.map((row) => String(row.id)));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) continue;
    for (const statement of migration.statements) {
      if (typeof statement === 'string') {
        await connection.query(statement);
        continue;
      }
      const [check] = await connection.query<mysql.RowDataPacket[]>(statement.when);
      if (Number(check[0]?.needed) === 1) await connection.query(statement.sql);
    }
    await connection.query('INSERT INTO schema_migrations (id) VALUES (?)', [migration.id]);
    applied.push(migration.id);
  }
  return applied;
}

/** GRANT SELECT on the mail tables to each read-only account (`user` means `user@'%'`). A failure names
 * the account: Postfix and Dovecot would fail later with a far less helpful message. */
async function grantReadonly(connection: mysql.Connection, accounts: string[]): Promise<string[]> {
  const [dbRows] = await connection.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db');
  const database = dbRows[0]?.db;
  if (typeof database !== 'string') throw new Error('mail schema: the database URL names no database');
  const granted: string[] = [];
  for (const account of accounts) {
    const [user = '', host = '%'] = account.split('@');
    for (const table of MAIL_TABLES) {
      const sql = `GRANT SELECT ON ${mysql.escapeId(database)}.${mysql.escapeId(table)} TO ?@?`;
      await connection.query(sql, [user, host]).catch((err: Error) => {
        throw new Error(`mail schema: GRANT SELECT on ${table} to ${user}@${host} failed: ${err.message}`, {
          cause: err,
        });
      });
    }
    granted.push(`${user}@${host}`);
  }
  return granted;
}
