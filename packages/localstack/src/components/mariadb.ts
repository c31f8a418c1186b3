import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser, ensureTraversable, run } from '../users.ts';

// MariaDB (Debian's `mariadb-server`) for the mail database and the PowerDNS database, run as
// `hostplane-mysql` from `<stateDir>/mariadb`. `--no-defaults` keeps /etc/mysql out of it, so its
// socket, pid file and port never clash with a system MariaDB. `root@localhost` is reachable only
// through the socket in a folder private to the service user.

const NAME = 'mariadb';
const SERVICE_USER = 'hostplane-mysql';
const ACCESS_DENIED = 1045;

export const MAIL_DB = 'mail';
export const MAIL_DB_USER = 'mail';
export const MAIL_DB_READONLY_USER = 'mail_ro';
export const PDNS_DB = 'pdns';
export const PDNS_DB_USER = 'pdns';
/** The TLD registry's PowerDNS (the local internet) keeps its zones apart, under the same account. */
export const REGISTRY_DB = 'registry';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  const runDir = path.join(root, 'run');
  return {
    root,
    data: path.join(root, 'data'),
    run: runDir,
    tmp: path.join(root, 'tmp'),
    socket: path.join(runDir, 'mysqld.sock'),
  };
}

export function mariadbSocket(ctx: StackContext): string {
  return dirs(ctx).socket;
}

export function mailDatabaseUrl(ctx: StackContext): string {
  return `mysql://${MAIL_DB_USER}:${encodeURIComponent(ctx.secrets.mailDbPassword)}@${STACK_HOST}:${ctx.ports.mariadb}/${MAIL_DB}`;
}

/** PowerDNS's database (PDNS_DATABASE_URL: `hostplane backup-platform` dumps it). */
export function pdnsDatabaseUrl(ctx: StackContext): string {
  return `mysql://${PDNS_DB_USER}:${encodeURIComponent(ctx.secrets.pdnsDbPassword)}@${STACK_HOST}:${ctx.ports.mariadb}/${PDNS_DB}`;
}

/** root over the private socket; before the first afterHealthy the password is still empty. */
async function rootConnection(ctx: StackContext): Promise<{ conn: mysql.Connection; passwordSet: boolean }> {
  const base = { socketPath: dirs(ctx).socket, user: 'root', connectTimeout: 2_000 };
  try {
    return {
      conn: await mysql.createConnection({ ...base, password: ctx.secrets.mariadbRootPassword }),
      passwordSet: true,
    };
  } catch (err) {
    if ((err as { errno?: number }).errno !== ACCESS_DENIED) throw err;
    return { conn: await mysql.createConnection({ ...base, password: '' }), passwordSet: false };
  }
}

async function withRoot<T>(
  ctx: StackContext,
  fn: (conn: mysql.Connection, passwordSet: boolean) => Promise<T>,
): Promise<T> {
  const { conn, passwordSet } = await rootConnection(ctx);
  try {
    return await fn(conn, passwordSet);
  } finally {
    await conn.end();
  }
}

/** Databases and accounts; idempotent, and it re-applies passwords from secrets.json. */
async function provision(conn: mysql.Connection, ctx: StackContext, passwordSet: boolean): Promise<void> {
  if (!passwordSet) {
    await conn.query('ALTER USER root@localhost IDENTIFIED BY ?', [ctx.secrets.mariadbRootPassword]);
  }
  await conn.query("DROP USER IF EXISTS ''@'localhost'");
  const accounts: Array<{ user: string; password: string; grant: string }> = [
    {
      user: MAIL_DB_USER,
      password: ctx.secrets.mailDbPassword,
      grant: `GRANT ALL PRIVILEGES ON ${MAIL_DB}.*`,
    },
    {
      user: MAIL_DB_READONLY_USER,
      password: ctx.secrets.mailDbReadonlyPassword,
      grant: `GRANT SELECT ON ${MAIL_DB}.*`,
    },
    {
      user: PDNS_DB_USER,
      password: ctx.secrets.pdnsDbPassword,
      grant: `GRANT ALL PRIVILEGES ON ${PDNS_DB}.*`,
    },
    {
      user: PDNS_DB_USER,
      password: ctx.secrets.pdnsDbPassword,
      grant: `GRANT ALL PRIVILEGES ON ${REGISTRY_DB}.*`,
    },
  ];
  for (const db of [MAIL_DB, PDNS_DB, REGISTRY_DB]) {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  for (const account of accounts) {
    await conn.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [account.user, account.password]);
    await conn.query("ALTER USER ?@'%' IDENTIFIED BY ?", [account.user, account.password]);
    await conn.query(`${account.grant} TO ?@'%'`, [account.user]);
  }
}

export const mariadb: Component = {
  name: NAME,
  dependsOn: [],
  async prepare(ctx) {
    const d = dirs(ctx);
    ensureTraversable(ctx.stateDir, ctx.say);
    const ids = await ensureServiceUser(SERVICE_USER);
    mkdirSync(d.run, { recursive: true, mode: 0o750 });
    mkdirSync(d.tmp, { recursive: true, mode: 0o750 });
    if (!existsSync(path.join(d.data, 'mysql'))) {
      rmSync(d.data, { recursive: true, force: true }); // a half-done install from an interrupted run
      mkdirSync(d.data, { recursive: true, mode: 0o750 });
      await chownTree(d.root, ids);
      ctx.say(`  mariadb: mariadb-install-db ${d.data}`);
      await run(
        'mariadb-install-db',
        [
          '--no-defaults',
          `--datadir=${d.data}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
        ],
        { ids },
      );
    }
    await chownTree(d.root, ids);
  },
  processes(ctx) {
    const d = dirs(ctx);
    return [
      {
        name: NAME,
        command: '/usr/sbin/mariadbd',
        args: [
          '--no-defaults',
          `--datadir=${d.data}`,
          `--socket=${d.socket}`,
          `--pid-file=${path.join(d.run, 'mariadbd.pid')}`,
          `--tmpdir=${d.tmp}`,
          `--port=${ctx.ports.mariadb}`,
          `--bind-address=${STACK_HOST}`,
          '--skip-name-resolve',
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_unicode_ci',
          '--innodb-buffer-pool-size=64M',
          '--innodb-flush-log-at-trx-commit=2',
          '--performance-schema=OFF',
          '--max-connections=300',
        ],
        user: SERVICE_USER,
      },
    ];
  },
  async healthy(ctx) {
    try {
      return await withRoot(ctx, async (conn) => {
        // The socket is ours; @@port proves this server (and not a stranger on the port) owns the
        // TCP listener, since mariadbd exits when it cannot bind.
        const [rows] = await conn.query('SELECT @@port AS port');
        return (rows as Array<{ port: number }>)[0]?.port === ctx.ports.mariadb;
      });
    } catch {
      return false;
    }
  },
  async afterHealthy(ctx) {
    await withRoot(ctx, (conn, passwordSet) => provision(conn, ctx, passwordSet));
  },
  address(ctx) {
    return `${STACK_HOST}:${ctx.ports.mariadb} (databases ${MAIL_DB}, ${PDNS_DB}, ${REGISTRY_DB})`;
  },
};
