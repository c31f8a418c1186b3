import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { DatabaseTarget } from './database-url.ts';

// The database tools' side of platform backups: PostgreSQL's pg_dump/pg_restore (custom format) and
// MariaDB's mariadb-dump/mariadb (gzipped SQL). Passwords never go on a command line (`ps` shows it):
// PGPASSWORD for PostgreSQL, a 0600 option file for MariaDB.

interface Run {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Feeds the tool's stdin (resolves when all is written). */
  stdin?: (input: Writable) => Promise<void>;
  /** Drains the tool's stdout (resolves when all is stored). */
  stdout?: (output: Readable) => Promise<void>;
  /** Exit codes that mean success (GNU tar's 1: a file changed while it was read). */
  okCodes?: number[];
}

function runTool({ command, args, env, stdin, stdout, okCodes = [0] }: Run): Promise<void> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: [stdin ? 'pipe' : 'ignore', stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    errors.push(chunk.toString('utf8'));
    if (errors.length > 20) errors.shift();
  });
  const flows: Promise<void>[] = [];
  if (stdin && child.stdin) flows.push(stdin(child.stdin));
  if (stdout && child.stdout) flows.push(stdout(child.stdout));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (error) =>
      reject(new Error(`${command} could not start (is it installed?): ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (code !== null && okCodes.includes(code)) resolve();
      else reject(new Error(`${command} exited ${code}: ${errors.join('').trim().slice(-2000)}`));
    });
  });
  return Promise.all([exited, ...flows]).then(() => undefined);
}

function postgresArgs(db: DatabaseTarget): { args: string[]; env: Record<string, string> } {
  return {
    args: ['--host', db.host, '--port', String(db.port), '--username', db.user, '--no-password'],
    env: { PGPASSWORD: db.password, PGDATABASE: db.database },
  };
}

/** A MariaDB option file with the connection (mode 0600, removed by the caller). */
async function mariadbOptions(db: DatabaseTarget, dir: string): Promise<string> {
  const quote = (v: string) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const file = path.join(dir, `.my-${process.pid}-${Date.now()}.cnf`);
  const text = `[client]\nhost=${quote(db.host)}\nport=${db.port}\nuser=${quote(db.user)}\npassword=${quote(db.password)}\nprotocol=TCP\n`;
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

/** Dumps `db` into `file` (consistent: one snapshot transaction). */
export async function dumpDatabase(db: DatabaseTarget, file: string): Promise<void> {
  if (db.engine === 'postgres') {
    const { args, env } = postgresArgs(db);
    await runTool({
      command: 'pg_dump',
      args: [
        ...args,
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        '--dbname',
        db.database,
        '--file',
        file,
      ],
      env,
    });
    return;
  }
  const options = await mariadbOptions(db, path.dirname(file));
  try {
    await runTool({
      command: 'mariadb-dump',
      args: [
        `--defaults-extra-file=${options}`,
        '--single-transaction',
        '--routines',
        '--triggers',
        '--hex-blob',
        '--no-tablespaces',
        '--skip-dump-date',
        db.database,
      ],
      stdout: (output) => pipeline(output, createGzip(), createWriteStream(file)),
    });
  } finally {
    await rm(options, { force: true });
  }
}

/**
 * Replaces the backed-up objects of `db` with the dump's: PostgreSQL drops and recreates every object
 * of the dump in one transaction; MariaDB's dump drops and recreates each table.
 */
export async function restoreDatabase(db: DatabaseTarget, file: string): Promise<void> {
  if (db.engine === 'postgres') {
    const { args, env } = postgresArgs(db);
    await runTool({
      command: 'pg_restore',
      args: [
        ...args,
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        '--dbname',
        db.database,
        file,
      ],
      env,
    });
    return;
  }
  const options = await mariadbOptions(db, path.dirname(file));
  try {
    await runTool({
      command: 'mariadb',
      args: [`--defaults-extra-file=${options}`, db.database],
      stdin: (input) => pipeline(createReadStream(file), createGunzip(), input),
    });
  } finally {
    await rm(options, { force: true });
  }
}

/**
 * Archives the directory `root` (Dovecot's Maildir volume) into `file` (gzipped tar, numeric owners).
 * The volume is live: Maildir writes each message once under a unique name and renames it from new/
 * to cur/ when it is read, so a message delivered or moved while tar runs is at worst missing from this
 * archive or in it under both names (restored twice). GNU tar says so with exit 1, which is not a
 * failure here.
 */
export async function archiveDirectory(root: string, file: string): Promise<void> {
  await runTool({
    command: 'tar',
    args: [
      '--create',
      '--gzip',
      '--numeric-owner',
      '--warning=no-file-changed',
      '--warning=no-file-removed',
      '--warning=no-file-shrank',
      '--file',
      file,
      '--directory',
      root,
      '.',
    ],
    okCodes: [0, 1],
  });
}

/**
 * Extracts an archive of `archiveDirectory` into `root`: files the archive holds are written back (a
 * message deleted since comes back), files it does not hold are left (a message delivered since stays).
 * Owners are kept when run as root (the uid Dovecot reads with), else the files are the caller's.
 * The archive's top entry (`./`, the volume's root) is skipped (`--strip-components=1`): the root is the
 * mount point, owned by root on a claim, and the CronJob's pod restores as Dovecot's uid, which may not
 * change its mode or times (GNU tar failed with "Cannot utime: Operation not permitted" on the node).
 */
export async function extractDirectory(root: string, file: string): Promise<void> {
  await runTool({
    command: 'tar',
    args: [
      '--extract',
      '--gzip',
      '--numeric-owner',
      '--strip-components=1',
      '--file',
      file,
      '--directory',
      root,
    ],
  });
}
