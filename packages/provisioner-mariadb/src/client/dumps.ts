// Export and import of one customer database with MariaDB's own clients (mariadb-dump, mariadb), as
// the database's owner: the client can reach nothing of the server its login cannot. The password
// travels in MYSQL_PWD (never argv, never a log).
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { DATABASE_NAME_PATTERN } from '@hostplane/domain';

export interface DumpLogin {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string;
}

function args(login: DumpLogin): string[] {
  if (!DATABASE_NAME_PATTERN.test(login.database) || !DATABASE_NAME_PATTERN.test(login.username))
    throw new Error('refusing a database or user name outside the pattern');
  return [
    `--host=${login.host}`,
    `--port=${login.port}`,
    `--user=${login.username}`,
    // The API takes and gives UTF-8: the clients' own default (latin1 on some builds) would re-encode.
    '--default-character-set=utf8mb4',
  ];
}

function env(login: DumpLogin): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', MYSQL_PWD: login.password };
}

/**
 * `mariadb-dump` of the database as a stream, handed over once output starts (a dump that fails at
 * once rejects, so the API answers an error instead of an empty 200); a later failure ends the stream
 * with an error.
 */
export function dumpDatabase(login: DumpLogin): Promise<Readable> {
  const child = spawn(
    'mariadb-dump',
    [
      ...args(login),
      '--single-transaction',
      '--routines',
      '--triggers',
      '--no-tablespaces',
      '--skip-dump-date',
      login.database,
    ],
    { env: env(login), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('readable', () => resolve(child.stdout));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) return resolve(child.stdout);
      const error = new Error(`mariadb-dump exited ${code}: ${stderr.trim()}`);
      reject(error);
      child.stdout.destroy(error);
    });
  });
}

/** Runs SQL in the database with `mariadb --batch`; a failing statement is the input's fault. */
export function importDatabase(
  login: DumpLogin,
  sql: Buffer,
): Promise<{ ok: true } | { ok: false; message: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mariadb', [...args(login), '--connect-timeout=10', '--batch', login.database], {
      env: env(login),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ ok: true });
      else if (/^ERROR \d+ \(/m.test(stderr) && !/ERROR 20\d\d/.test(stderr))
        resolve({ ok: false, message: stderr.trim().split('\n').slice(-1)[0] ?? 'import failed' });
      else reject(new Error(`mariadb exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(sql);
  });
}
