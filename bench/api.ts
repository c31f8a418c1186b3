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
import { createAdminUser, createApiToken } from '@hostplane/api';
import { openMigratedPanelDb } from '@hostplane/db';
import { loadStackEnv } from '@hostplane/testing';
import autocannon from 'autocannon';
import pg from 'pg';

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
  const base = serverUrl();
  const name = `hp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
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
}

async function load(name: string, pid: number, opts: autocannon.Options): Promise<Figures> {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 250);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  clearInterval(sampler);
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMiB: peak,
  };
}

async function main(): Promise<void> {
  await withDatabase(async (url) => {
    const { token, customerId } = await seed(url);
    const server = await startServer(url);
    try {
      const base = `http://127.0.0.1:${PORT}/api/v1/customers/${customerId}`;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      await new Promise((r) => setTimeout(r, 3000));
      const fresh = rssMiB(server.pid!);
      await autocannon({ url: base, headers, connections: 10, duration: 3 }); // warm-up (JIT, pool)
      await new Promise((r) => setTimeout(r, 5000));
      const idle = rssMiB(server.pid!);
      const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      let n = 0;
      const domainPost = (mail: boolean): autocannon.Options => ({
        url: `${base}/domains`,
        method: 'POST',
        headers,
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({ name: `d${++n}-${mail ? 'm' : 'r'}.bench.test`, mail }),
            }),
          },
        ],
      });
      const results = [
        await load(`GET /api/v1/customers/{id}`, server.pid!, { url: base, headers }),
        await load(
          'POST /api/v1/customers/{id}/domains (rows only, mail: false)',
          server.pid!,
          domainPost(false),
        ),
        await load(
          'POST /api/v1/customers/{id}/domains (mail: true, RSA-2048 DKIM key per request)',
          server.pid!,
          { ...domainPost(true), duration: Math.min(DURATION, 10) },
        ),
      ];
      const baseline = await withDatabase(async (baselineUrl) => {
        const seeded = await seed(baselineUrl);
        const bare = await startServer(baselineUrl, 'api-baseline-server.ts', BASELINE_PORT);
        try {
          const base = `http://127.0.0.1:${BASELINE_PORT}/api/v1/customers/${seeded.customerId}`;
          const headers = { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' };
          await autocannon({ url: base, headers, connections: 10, duration: 3 }); // warm-up
          let m = 0;
          return [
            await load('baseline GET', bare.pid!, { url: base, headers }),
            await load('baseline POST (rows only)', bare.pid!, {
              url: `${base}/domains`,
              method: 'POST',
              headers,
              requests: [
                {
                  setupRequest: (req) => ({
                    ...req,
                    body: JSON.stringify({ name: `d${++m}-r.bench.test`, mail: false }),
                  }),
                },
              ],
            }),
          ];
        } finally {
          bare.kill('SIGTERM');
          await new Promise((r) => bare.once('exit', r));
        }
      });
      const flags = process.env.BENCH_SERVER_FLAGS
        ? ` (API node flags: ${process.env.BENCH_SERVER_FLAGS})`
        : '';
      console.log(
        `\nAPI on 127.0.0.1:${PORT}${flags}, autocannon ${CONNECTIONS} connections, ${DURATION} s per run, Node ${process.version}`,
      );
      console.log(`load average before the runs: ${loadBefore}`);
      console.log(`RSS of the API process: ${fresh} MiB just started, ${idle} MiB idle after a warm-up`);
      for (const r of [...results, ...baseline]) {
        console.log(
          `${r.name}\n  ${r.rps} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  peak RSS ${r.peakRssMiB} MiB`,
        );
      }
      const [getApi, postApi] = results;
      const [getBare, postBare] = baseline;
      const ratio = (a: Figures | undefined, b: Figures | undefined) =>
        a && b && b.rps > 0 ? (a.rps / b.rps).toFixed(2) : 'n/a';
      console.log(
        `Hostplane ÷ baseline (req/s, same run): GET ${ratio(getApi, getBare)}, POST rows only ${ratio(postApi, postBare)}`,
      );
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });
}

await main();
