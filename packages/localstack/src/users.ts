import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** uid/gid a component's processes run as; undefined when the stack does not run as root. */
export interface ServiceIds {
  user: string;
  uid: number;
  gid: number;
}

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function idOf(user: string): Promise<ServiceIds | undefined> {
  try {
    const uid = Number((await execFileAsync('id', ['-u', user])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', user])).stdout.trim());
    return { user, uid, gid };
  } catch {
    return undefined; // `id` exits 1 for an unknown user: the caller creates it.
  }
}

/** Creates the unprivileged system user when missing (root only). Not root: the stack runs as the caller. */
export async function ensureServiceUser(user: string): Promise<ServiceIds | undefined> {
  if (!runningAsRoot()) return undefined;
  const existing = await idOf(user);
  if (existing) return existing;
  await run('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    user,
  ]);
  const created = await idOf(user);
  if (!created) throw new Error(`useradd ${user} succeeded but the user cannot be found`);
  return created;
}

/** Gives a component's data folder to its service user. */
export async function chownTree(dir: string, ids: ServiceIds | undefined): Promise<void> {
  if (!ids) return;
  await run('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

/**
 * Service users must be able to walk down to the state folder. A checkout under /root (mode 700)
 * would hide it from them, so each ancestor gets the search bit (o+x, not read) when it lacks it.
 */
export function ensureTraversable(dir: string, say: (line: string) => void): void {
  if (!runningAsRoot()) return;
  let current = path.resolve(dir);
  const ancestors: string[] = [];
  while (current !== path.dirname(current)) {
    ancestors.push(current);
    current = path.dirname(current);
  }
  for (const folder of ancestors.reverse()) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(folder, mode | 0o001);
      say(`  made ${folder} traversable (o+x) so the stack's service users can reach the state folder`);
    }
  }
}

export interface RunOptions {
  ids?: ServiceIds | undefined;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs a command to completion (as the service user when given); rejects with its output on failure. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...options.env },
      cwd: options.cwd,
      uid: options.ids?.uid,
      gid: options.ids?.gid,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message.split('\n')[0]}\n${output}`);
  }
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
