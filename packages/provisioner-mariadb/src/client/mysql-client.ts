// The only importer of mysql2 in this room: the customer's MariaDB as root. Identifiers come from the
// panel's validated names and are checked again here before they reach a statement.
import { DATABASE_NAME_PATTERN } from '@hostplane/domain';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import type { ObservedServer, ServerChange } from '../plan.ts';
import type { DatabaseServer } from '../port.ts';

/** MariaDB's own databases and accounts: never observed, never touched. */
const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
const SYSTEM_USERS = new Set(['root', 'mariadb.sys', 'mysql', 'PUBLIC', '']);

const userRow = z.object({ User: z.string(), authentication_string: z.string() });
const grantRow = z.object({ User: z.string(), Db: z.string() });
const dbRow = z.object({ Database: z.string() });

function ident(name: string): string {
  if (!DATABASE_NAME_PATTERN.test(name)) throw new Error(`refusing identifier ${JSON.stringify(name)}`);
  return name;
}

/** In GRANT, "_" in a database name is a wildcard: escape it so a grant names exactly one database. */
function grantTarget(database: string): string {
  return `\`${ident(database).replaceAll('_', '\\_')}\`.*`;
}

function hashLiteral(hash: string): string {
  if (!/^\*[0-9A-F]{40}$/.test(hash)) throw new Error('refusing a password hash that is not a native hash');
  return `'${hash}'`;
}

/** Counts statements; tests use `writes` to prove a converged pass writes nothing. */
export class MysqlDatabaseServer implements DatabaseServer {
  readonly stats = { reads: 0, writes: 0 };
  private constructor(private readonly conn: mysql.Connection) {}

  static async connect(
    address: { host: string; port: number },
    rootPassword: string,
  ): Promise<MysqlDatabaseServer> {
    const conn = await mysql.createConnection({
      host: address.host,
      port: address.port,
      user: 'root',
      password: rootPassword,
      connectTimeout: 5_000,
    });
    // Backslashes in GRANT targets stay escapes (the server default, set in case a config changes it).
    await conn.query("SET SESSION sql_mode = ''");
    return new MysqlDatabaseServer(conn);
  }

  async observe(): Promise<ObservedServer> {
    this.stats.reads += 3;
    const [dbs] = await this.conn.query('SHOW DATABASES');
    const [users] = await this.conn.query(
      "SELECT User, authentication_string FROM mysql.user WHERE Host = '%'",
    );
    const [grants] = await this.conn.query("SELECT User, Db FROM mysql.db WHERE Host = '%'");
    return {
      databases: z
        .array(dbRow)
        .parse(dbs)
        .map((r) => r.Database)
        .filter((d) => !SYSTEM_DATABASES.has(d))
        .sort(),
      users: z
        .array(userRow)
        .parse(users)
        .filter((u) => !SYSTEM_USERS.has(u.User))
        .map((u) => ({ name: u.User, hash: u.authentication_string }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      grants: z
        .array(grantRow)
        .parse(grants)
        .filter((g) => !SYSTEM_USERS.has(g.User))
        .map((g) => ({ user: g.User, database: g.Db.replaceAll('\\_', '_') })),
    };
  }

  async apply(change: ServerChange): Promise<void> {
    this.stats.writes++;
    await this.conn.query(statementOf(change));
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }
}

export function statementOf(change: ServerChange): string {
  switch (change.op) {
    case 'createDatabase':
      return `CREATE DATABASE IF NOT EXISTS \`${ident(change.database)}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;
    case 'createUser':
      return `CREATE USER IF NOT EXISTS '${ident(change.user)}'@'%' IDENTIFIED BY PASSWORD ${hashLiteral(change.hash)}`;
    case 'setPassword':
      return `ALTER USER '${ident(change.user)}'@'%' IDENTIFIED BY PASSWORD ${hashLiteral(change.hash)}`;
    case 'grant':
      return `GRANT ALL PRIVILEGES ON ${grantTarget(change.database)} TO '${ident(change.user)}'@'%'`;
    case 'revoke':
      return `REVOKE ALL PRIVILEGES ON ${grantTarget(change.database)} FROM '${ident(change.user)}'@'%'`;
    case 'dropUser':
      return `DROP USER IF EXISTS '${ident(change.user)}'@'%'`;
    case 'dropDatabase':
      return `DROP DATABASE IF EXISTS \`${ident(change.database)}\``;
  }
}
