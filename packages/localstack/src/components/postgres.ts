import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser, ensureTraversable, run } from '../users.ts';

// The panel's PostgreSQL (Debian's `postgresql`), initialised in `<stateDir>/postgres` and run as
// `hostplane-pg`. Durability settings are relaxed: this is a development and test database on a
// shared machine, and fsync on every commit would slow every integration test down.

const NAME = 'postgres';
const SERVICE_USER = 'hostplane-pg';
const PG_MAJOR_PREFERRED = '15';
export const PANEL_DB = 'hostplane';
export const PANEL_DB_USER = 'hostplane';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return { root, data: path.join(root, 'data'), socket: path.join(root, 'run') };
}

/** Debian installs each major under /usr/lib/postgresql/<major>/bin; prefer 15, else the newest. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const preferred = path.join(base, PG_MAJOR_PREFERRED, 'bin');
  if (existsSync(preferred)) return preferred;
  const majors = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  if (!majors[0]) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql); run: npm run setup');
  return path.join(base, majors[0], 'bin');
}

export function postgresUrl(ctx: StackContext, database = PANEL_DB): string {
  const password = encodeURIComponent(ctx.secrets.postgresPassword);
  return `postgres://${PANEL_DB_USER}:${password}@${STACK_HOST}:${ctx.ports.postgres}/${database}`;
}

async function withClient<T>(
  ctx: StackContext,
  fn: (client: pg.Client) => Promise<T>,
  connectionTimeoutMillis: number,
): Promise<T> {
  // The maintenance database: `hostplane` may not exist yet.
  const client = new pg.Client({ connectionString: postgresUrl(ctx, 'postgres'), connectionTimeoutMillis });
  client.on('error', () => {
    // A server shutting down mid-query surfaces through the query's rejection as well.
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function initdb(ctx: StackContext): Promise<void> {
  const { root, data } = dirs(ctx);
  const ids = await ensureServiceUser(SERVICE_USER);
  const pwfile = path.join(root, '.initdb-password');
  writeFileSync(pwfile, `${ctx.secrets.postgresPassword}\n`, { mode: 0o600 });
  await chownTree(root, ids);
  try {
    ctx.say(`  postgres: initdb ${data}`);
    await run(
      path.join(postgresBinDir(), 'initdb'),
      [
        '-D',
        data,
        '-U',
        PANEL_DB_USER,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--no-locale',
      ],
      { ids },
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
}

export const postgres: Component = {
  name: NAME,
  dependsOn: [],
  async prepare(ctx) {
    const { root, data, socket } = dirs(ctx);
    ensureTraversable(ctx.stateDir, ctx.say);
    mkdirSync(socket, { recursive: true, mode: 0o750 });
    if (!existsSync(path.join(data, 'PG_VERSION'))) {
      rmSync(data, { recursive: true, force: true }); // a half-done initdb from an interrupted run
      await initdb(ctx);
    }
    await chownTree(root, await ensureServiceUser(SERVICE_USER));
  },
  processes(ctx) {
    const { data, socket } = dirs(ctx);
    return [
      {
        name: NAME,
        command: path.join(postgresBinDir(), 'postgres'),
        args: [
          '-D',
          data,
          '-p',
          String(ctx.ports.postgres),
          '-k',
          socket,
          '-c',
          `listen_addresses=${STACK_HOST}`,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
          '-c',
          'shared_buffers=64MB',
        ],
        user: SERVICE_USER,
      },
    ];
  },
  async healthy(ctx) {
    try {
      return await withClient(
        ctx,
        async (client) => (await client.query('select 1 as ok')).rows[0]?.ok === 1,
        5_000,
      );
    } catch {
      return false;
    }
  },
  async afterHealthy(ctx) {
    // Healthy a moment ago: a slow connect now is a busy machine (scram-sha-256 on a loaded CPU,
    // measured over 2 s with two stacks starting at once), not a failure.
    await withClient(
      ctx,
      async (client) => {
        const found = await client.query('select 1 from pg_database where datname = $1', [PANEL_DB]);
        if (found.rowCount === 0) await client.query(`create database ${PANEL_DB} owner ${PANEL_DB_USER}`);
      },
      30_000,
    );
  },
  address(ctx) {
    return `${STACK_HOST}:${ctx.ports.postgres} (database ${PANEL_DB}, user ${PANEL_DB_USER})`;
  },
};
