// The `hostplane` binary as a user runs it: help, version and usage errors with their exit codes,
// `stack status --output json` against the running stack, `admin create --password-stdin`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createScratchDb, queryOnce, type ScratchDb } from '@hostplane/testing';
import { verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/hostplane.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
let scratch: ScratchDb;

/** Runs `hostplane …` to its end: exit code, stdout, stderr. */
function hostplane(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  child.stdin.end(options.stdin ?? '');
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, out, err })),
  );
}

beforeAll(async () => {
  scratch = await createScratchDb('cli');
});

afterAll(async () => {
  await scratch.drop();
});

describe('the hostplane binary', () => {
  it('prints help to stdout with exit 0, for the program and for a command', async () => {
    const top = await hostplane(['--help']);
    expect(top).toMatchObject({ code: 0, err: '' });
    expect(top.out).toContain('Usage: hostplane [options] [command]');
    const stack = await hostplane(['stack', '--help']);
    expect(stack.code).toBe(0);
    expect(stack.out).toMatch(/Commands:[\s\S]*up[\s\S]*down[\s\S]*status[\s\S]*env/);
  });

  it('prints its version', async () => {
    expect(await hostplane(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('names an unknown flag and exits 2', async () => {
    const result = await hostplane(['serve', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.err).toContain("unknown option '--bogus'");
  });

  it('stack status --output json describes every component', async () => {
    const result = await hostplane(['stack', 'status', '--output', 'json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.out) as {
      state: string;
      components: { name: string; running: boolean; healthy: boolean }[];
    };
    expect(status.state).toBe('up');
    expect(status.components.map((c) => c.name)).toEqual(expect.arrayContaining(['postgres', 'pdns']));
    expect(status.components.every((c) => c.running && c.healthy)).toBe(true);
  });

  it('admin create --password-stdin stores the password read from stdin, never from argv', async () => {
    const email = `root-${randomBytes(3).toString('hex')}@cli.test`;
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const created = await hostplane(['admin', 'create', '--email', email, '--password-stdin'], {
      env: { DATABASE_URL: scratch.url },
      stdin: `${password}\n`,
    });
    expect(created.err).toBe('');
    expect(created).toMatchObject({ code: 0 });
    expect(created.out).toMatch(new RegExp(`admin ${email} created`));
    const { rows } = await queryOnce(scratch.url, 'select role, password_hash from users where email = $1', [
      email,
    ]);
    expect(rows[0]?.role).toBe('admin');
    expect(await verify(rows[0]?.password_hash, password)).toBe(true);

    const empty = await hostplane(['admin', 'create', '--email', `x-${email}`, '--password-stdin'], {
      env: { DATABASE_URL: scratch.url },
      stdin: '',
    });
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('the password needs at least 10 characters');
  });
});
