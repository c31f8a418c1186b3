// npm run bench:rss — idle memory of `hostplane serve` from the compiled build (npm run build first):
// the API (`serve --api-only`) and the worker (`serve --worker-only`), each in its own process, each on
// a fresh panel database, with the targets the stack's variables give (`hostplane stack env`).
// Prints VmRSS just started, after IDLE_SECONDS idle (default 30) and after a warm-up of 200 requests
// to /api/v1/openapi.json and /healthz (API) or /metrics (worker). BENCH_SOURCES=1 measures the tsx
// path instead, for comparison.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createScratchDb, loadStackEnv, repoRoot, waitFor } from '@hostplane/testing';

const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const sources = process.env.BENCH_SOURCES === '1';
const bin = path.join(repoRoot, 'apps', 'cli', 'bin', 'hostplane.js');

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

async function measure(mode: '--api-only' | '--worker-only', port: number) {
  const stack = loadStackEnv();
  const db = await createScratchDb('rss', stack.DATABASE_URL);
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', mode], {
    env: {
      ...process.env,
      ...stack,
      DATABASE_URL: db.url,
      PORT: String(port),
      // The worker answers /healthz and /metrics on the internal server (issue 9), the API on PORT.
      METRICS_PORT: String(port + 10),
      SESSION_COOKIE_SECURE: 'false',
      NODE_ENV: sources ? 'development' : 'production',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  try {
    const base = `http://127.0.0.1:${mode === '--api-only' ? port : port + 10}`;
    await waitFor(`${mode} to answer /healthz`, async () => (await fetch(`${base}/healthz`)).ok, 60_000);
    const pid = child.pid!;
    const started = rssMiB(pid);
    await sleep(IDLE_SECONDS * 1000); // the measurement is of an idle process: nothing to wait for
    const idle = rssMiB(pid);
    const paths = mode === '--api-only' ? ['/api/v1/openapi.json', '/healthz'] : ['/metrics', '/healthz'];
    for (let i = 0; i < 100; i++) for (const p of paths) await (await fetch(`${base}${p}`)).arrayBuffer();
    const warm = rssMiB(pid);
    return { mode, started, idle, warm };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${out}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await db.drop();
  }
}

if (!sources && !existsSync(path.join(repoRoot, 'apps', 'cli', 'dist', 'main.js'))) {
  console.error('bench:rss measures the build: run `npm run build` first (or BENCH_SOURCES=1)');
  process.exit(1);
}
console.log(`node ${process.version}, ${sources ? 'TypeScript sources through tsx' : 'compiled build'}`);
for (const [mode, port] of [
  ['--api-only', 18_580],
  ['--worker-only', 18_581],
] as const) {
  const r = await measure(mode, port);
  console.log(
    `serve ${r.mode.padEnd(14)} RSS started ${r.started} MiB, after ${IDLE_SECONDS} s idle ${r.idle} MiB, after 200 requests ${r.warm} MiB`,
  );
}
