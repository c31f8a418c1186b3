import mysql from 'mysql2/promise';
import { MAIL_TABLES, type MailMigration, mailMigrations } from './migrations.ts';

export interface MigrateMailDbOptions {
  /** Read-only database users (Postfix, Dovecot) that get SELECT on the mail tables, e.g. ['mail_ro'].
   * Granting needs a connection allowed to GRANT (root locally, the DB admin in the cluster). */
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
      await connection.query(statement);
    }
    await connection.query('INSERT INTO schema_migrations (id) VALUES (?)', [migration.id]);
    applied.push(migration.id);
  }
  return applied;
}

/** GRANT SELECT on the mail tables to every host entry of each read-only user. A user that does not
 * exist is an error: Postfix and Dovecot would fail later with a far less helpful message. */
async function grantReadonly(connection: mysql.Connection, users: string[]): Promise<string[]> {
  const granted: string[] = [];
  const [dbRows] = await connection.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db');
  const database = dbRows[0]?.db;
  if (typeof database !== 'string') throw new Error('mail schema: the database URL names no database');
  for (const user of users) {
    const [hosts] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT Host FROM mysql.user WHERE User = ?',
      [user],
    );
    if (hosts.length === 0) throw new Error(`mail schema: read-only user ${user} does not exist`);
    for (const { Host } of hosts) {
      for (const table of MAIL_TABLES) {
        await connection.query(
          `GRANT SELECT ON ${mysql.escapeId(database)}.${mysql.escapeId(table)} TO ?@?`,
          [user, Host],
        );
      }
      granted.push(`${user}@${Host}`);
    }
  }
  return granted;
}
