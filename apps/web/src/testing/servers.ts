import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiConfigInput, buildApp, createAdminUser } from '@hostplane/api';
import type { PlatformConfig } from '@hostplane/platform';
import { createPanelScratchDb, waitFor } from '@hostplane/testing';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

export interface RunningApi {
  url: string;
  adminEmail: string;
  adminPassword: string;
  close(): Promise<void>;
}

/** The real API on a fresh, migrated database of its own, listening on a loopback port, with one admin. */
export async function startApi(config: ApiConfigInput = {}, platform?: PlatformConfig): Promise<RunningApi> {
  const scratch = await createPanelScratchDb('test_web', { max: 5 });
  const { db } = scratch;
  // cookieSecure stays on: Chromium keeps Secure cookies from http://127.0.0.1 (a trustworthy origin).
  const app = await buildApp({
    db,
    config: { logLevel: 'silent', cookieSecure: true, ...config },
    ...(platform ? { platform } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the API has no TCP address');
  const adminEmail = 'admin@hostplane.test';
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  await createAdminUser(db, adminEmail, adminPassword);
  return {
    url: `http://127.0.0.1:${address.port}`,
    adminEmail,
    adminPassword,
    async close() {
      await app.close();
      await scratch.drop();
    },
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function mtimeOrZero(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when .next is missing or older than a source file, the config or the package manifest. */
export function buildIsStale(): boolean {
  const built = mtimeOrZero(path.join(webRoot, '.next', 'BUILD_ID'));
  const sources = Math.max(
    newestMtime(path.join(webRoot, 'src')),
    mtimeOrZero(path.join(webRoot, 'next.config.mjs')),
    mtimeOrZero(path.join(webRoot, 'package.json')),
  );
  return built < sources;
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], {
    cwd: webRoot,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function outputOf(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return () => output.slice(-4000);
}

/** `next build` when the build is missing or stale (a production build, as `npm run build` makes). */
export async function ensureBuilt(): Promise<void> {
  if (!buildIsStale()) return;
  const child = run(['build'], {});
  const output = outputOf(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output()}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningWeb {
  url: string;
  close(): Promise<void>;
}

/** The panel's web server (server.mjs: `next start` that appends the peer to X-Forwarded-For) on a loopback port. */
export async function startWeb(apiUrl: string): Promise<RunningWeb> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(webRoot, 'server.mjs'), '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: webRoot,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HOSTPLANE_API_URL: apiUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = outputOf(child);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = new AbortController();
  child.once('exit', (code) => gone.abort(new Error(`next start exited (${code}):\n${output()}`)));
  try {
    await waitFor(
      'next start to answer /login',
      () =>
        fetch(`${url}/login`).then(
          (res) => res.ok,
          () => false,
        ),
      { timeoutMs: 60_000, intervalMs: 250, signal: gone.signal },
    );
  } catch (err) {
    child.kill('SIGTERM');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${output()}`);
  }
  return {
    url,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
