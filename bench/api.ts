// npm run bench:api — the panel API under autocannon on loopback (50 connections, 20 s each):
// GET /api/v1/customers/{id} and POST /api/v1/customers/{id}/domains (rows only: mail off, so no
// DKIM key is generated), plus a shorter run of the POST with mail on (an RSA key per request).
// Prints requests/s, p50/p99 latency and the API process's RSS idle and under load. In the same run,
// a baseline (bench/api-baseline-server.ts: bare Fastify + one pg pool running the same SQL) answers
// the GET and the rows-only POST, against a database seeded the same way; Hostplane ÷ baseline is
// the figure that travels between machines.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAdminUser, createApiToken } from '@hostplane/api';
import { openMigratedPanelDb } from '@hostplane/db';
import { createScratchDb, loadStackEnv } from '@hostplane/testing';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_SECONDS ?? 20);
const PORT = 18_480 + Math.floor(Math.random() * 100);
const BASELINE_PORT = PORT + 100;

function serverUrl(): string {
  return process.env.HOSTPLANE_TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? loadStackEnv().DATABASE_URL;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const scratch = await createScratchDb('bench', serverUrl());
  try {
    return await run(scratch.url);
  } finally {
    await scratch.drop();
  }
}

async function seed(url: string): Promise<{ token: string; customerId: number }> {
  const db = await openMigratedPanelDb(url);
  try {
    const adminId = await createAdminUser(db, 'bench@hostplane.test', randomBytes(12).toString('hex'));
    const { token } = await createApiToken(db, adminId, { name: 'bench', scope: 'write' });
    // Limits far above what a run creates, so the POST measures rows, not 409s.
    const limits = {
      cpu: '8',
      memory: '16Gi',
      storage: '100Gi',
      sites: 100,
      domains: 10_000_000,
      mailboxes: 100,
      mailboxQuota: '10Gi',
      databases: 10,
      backupRetentionDays: 7,
    };
    const plan = await db
      .insertInto('plans')
      .values({ name: 'bench', limits: JSON.stringify(limits) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const customer = await db
      .insertInto('customers')
      .values({ name: 'Bench', email: 'bench@example.test', plan_id: plan.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { token, customerId: customer.id };
  } finally {
    await db.destroy();
  }
}

function startServer(url: string, script = 'api-server.ts', port = PORT): Promise<ChildProcess> {
  const child = fork(path.join(here, script), {
    // BENCH_SERVER_FLAGS: extra node flags for the API process, e.g. --max-semi-space-size=4.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, BENCH_DATABASE_URL: url, BENCH_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`API server exited with ${code}`)));
  });
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMiB: number;
  /** CPU time (user + system) the server process spent during the run, and the requests answered. */
  cpuMs: number;
  requests: number;
}

/** CPU time of a process so far, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The server's CPU per answered request, in microseconds: on a loaded machine req/s measure the
 * machine as much as the server, CPU per request much less so (it does not count time spent waiting).
 */
const cpuPerRequest = (f: Figures) =>
  f.requests > 0 ? Math.round((1000 * f.cpuMs) / f.requests) : Number.NaN;

async function load(name: string, pid: number, opts: autocannon.Options): Promise<Figures> {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 250);
  const cpuBefore = cpuMsOf(pid);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  const cpuMs = cpuMsOf(pid) - cpuBefore;
  clearInterval(sampler);
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMiB: peak,
    cpuMs,
    requests: result.requests.total,
  };
}

/** Requests per second over several runs, with the worst p50/p99 of them. */
function combine(name: string, runs: Figures[]): Figures {
  const n = Math.max(1, runs.length);
  return {
    name,
    rps: Math.round(runs.reduce((a, r) => a + r.rps, 0) / n),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    cpuMs: runs.reduce((a, r) => a + r.cpuMs, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
  };
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Side {
  pid: number;
  base: string;
  headers: Record<string, string>;
  posted: number;
}

function domainPost(side: Side, mail: boolean): autocannon.Options {
  return {
    url: `${side.base}/domains`,
    method: 'POST',
    headers: side.headers,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ name: `d${++side.posted}-${mail ? 'm' : 'r'}.bench.test`, mail }),
        }),
      },
    ],
  };
}

/**
 * The API and the baseline answer in turns, A B B A, half the duration each: a burst of other work
 * on a shared machine then lands on both sides alike (the figure is the ratio).
 */
async function interleaved(
  name: string,
  api: Side,
  bare: Side,
  opts: (side: Side) => autocannon.Options,
): Promise<[Figures, Figures]> {
  const half = Math.max(1, Math.round(DURATION / 2));
  const runs: { api: Figures[]; bare: Figures[] } = { api: [], bare: [] };
  for (const which of ['api', 'bare', 'bare', 'api'] as const) {
    const side = which === 'api' ? api : bare;
    runs[which].push(await load(name, side.pid, { ...opts(side), duration: half }));
  }
  return [combine(name, runs.api), combine(`baseline ${name}`, runs.bare)];
}

async function main(): Promise<void> {
  // --get-only: the GET alone (e.g. for a CPU profile of the read path).
  const { values } = parseArgs({ options: { 'get-only': { type: 'boolean', default: false } } });
  await withDatabase((url) =>
    withDatabase(async (baselineUrl) => {
      const seeded = await seed(url);
      const seededBare = await seed(baselineUrl);
      const server = await startServer(url);
      const bareServer = await startServer(baselineUrl, 'api-baseline-server.ts', BASELINE_PORT);
      const sideOf = (pid: number, port: number, s: { token: string; customerId: number }): Side => ({
        pid,
        base: `http://127.0.0.1:${port}/api/v1/customers/${s.customerId}`,
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        posted: 0,
      });
      const api = sideOf(server.pid!, PORT, seeded);
      const bare = sideOf(bareServer.pid!, BASELINE_PORT, seededBare);
      try {
        await new Promise((r) => setTimeout(r, 3000));
        const fresh = rssMiB(api.pid);
        for (const side of [api, bare]) // warm-up (JIT, pool)
          await autocannon({ url: side.base, headers: side.headers, connections: 10, duration: 3 });
        await new Promise((r) => setTimeout(r, 5000));
        const idle = rssMiB(api.pid);
        const loadBefore = loadavg();
        const get = await interleaved('GET /api/v1/customers/{id}', api, bare, (side) => ({
          url: side.base,
          headers: side.headers,
        }));
        const post = values['get-only']
          ? null
          : await interleaved(
              'POST /api/v1/customers/{id}/domains (rows only, mail: false)',
              api,
              bare,
              (side) => domainPost(side, false),
            );
        const mail = values['get-only']
          ? null
          : await load(
              'POST /api/v1/customers/{id}/domains (mail: true, RSA-2048 DKIM key per request)',
              api.pid,
              {
                ...domainPost(api, true),
                duration: Math.min(DURATION, 10),
              },
            );
        const loadAfter = loadavg();
        const flags = process.env.BENCH_SERVER_FLAGS
          ? ` (server node flags: ${process.env.BENCH_SERVER_FLAGS})`
          : '';
        console.log(
          `\n${new Date().toISOString()} API on 127.0.0.1:${PORT}${flags}, autocannon ${CONNECTIONS} connections, ${DURATION} s per figure (API and baseline in turns, A B B A), Node ${process.version}`,
        );
        console.log(`load average before ${loadBefore}, after ${loadAfter}`);
        console.log(`RSS of the API process: ${fresh} MiB just started, ${idle} MiB idle after a warm-up`);
        const figures = [...get, ...(post ?? []), ...(mail ? [mail] : [])];
        for (const r of figures) {
          console.log(
            `${r.name}\n  ${r.rps} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  peak RSS ${r.peakRssMiB} MiB  CPU ${cpuPerRequest(r)} µs/request`,
          );
        }
        const ratio = (pair: [Figures, Figures] | null) =>
          pair && pair[1].rps > 0 ? (pair[0].rps / pair[1].rps).toFixed(2) : 'n/a';
        console.log(
          `Hostplane ÷ baseline (req/s, same run): GET ${ratio(get)}, POST rows only ${ratio(post)}`,
        );
        const cpuRatio = (pair: [Figures, Figures] | null) =>
          pair ? (cpuPerRequest(pair[1]) / cpuPerRequest(pair[0])).toFixed(2) : 'n/a';
        console.log(
          `baseline CPU ÷ Hostplane CPU per request (same run): GET ${cpuRatio(get)}, POST rows only ${cpuRatio(post)}`,
        );
      } finally {
        for (const child of [server, bareServer]) {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
      }
    }),
  );
}

await main();
