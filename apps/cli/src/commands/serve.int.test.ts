// `hostplane serve` as a process against a real PostgreSQL: start-up output, API + worker in one
// process with one /metrics, a customer reconciled, graceful exit on SIGTERM, --worker-only probes,
// and a configuration error that names the variable.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createScratchDb, queryOnce, type ScratchDb, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/hostplane.js', import.meta.url));
let scratch: ScratchDb;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function serve(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    env: { ...process.env, DATABASE_URL: undefined, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new AbortController();
  child.once('exit', (code) => exited.abort(new Error(`serve exited ${code}: ${err}`)));
  const waitForOutput = (text: string) =>
    waitFor(
      `"${text}" in the output of serve`,
      () => {
        if (!out.includes(text)) throw new Error(`output so far: ${out}${err}`);
        return true;
      },
      { timeoutMs: 60_000, signal: exited.signal },
    );
  return { child, out: () => out, err: () => err, waitForOutput };
}

beforeAll(async () => {
  scratch = await createScratchDb('serve');
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await scratch.drop();
});

describe('hostplane serve', () => {
  it('migrates, serves the API and runs the worker in one process, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const internal = await freePort();
    const proc = serve([], {
      DATABASE_URL: scratch.url,
      PORT: String(port),
      METRICS_PORT: String(internal),
      RESYNC_MINUTES: '5',
    });
    await proc.waitForOutput('OpenAPI:');
    expect(proc.out()).toContain(`API:     http://127.0.0.1:${port}/api/v1\n`);
    expect(proc.out()).toContain(`OpenAPI: http://127.0.0.1:${port}/api/v1/openapi.json\n`);
    const openapi = await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);

    // A customer written with its outbox job is reconciled by the worker of this process.
    const plan = await queryOnce<{ id: number }>(
      scratch.url,
      `insert into plans (name, limits) values ('p', $1) returning id`,
      [
        JSON.stringify({
          cpu: '1',
          memory: '1Gi',
          storage: '1Gi',
          sites: 1,
          domains: 1,
          mailboxes: 1,
          mailboxQuota: '1Gi',
          databases: 0,
          backupRetentionDays: 1,
        }),
      ],
    );
    const customer = await queryOnce<{ id: number }>(
      scratch.url,
      `insert into customers (name, email, plan_id) values ('A', 'a@example.test', $1) returning id`,
      [plan.rows[0]?.id],
    );
    const id = customer.rows[0]?.id;
    await queryOnce(
      scratch.url,
      `select graphile_worker.add_job('reconcile', json_build_object('customerId', $1::int), queue_name => 'customer-' || $1, job_key => 'reconcile-' || $1)`,
      [id],
    );
    const status = await waitFor('the Customer condition', async () => {
      const rows = await queryOnce(
        scratch.url,
        `select status from customer_conditions where customer_id = $1 and type = 'Customer'`,
        [id],
      );
      return rows.rows[0]?.status as string | undefined;
    });
    expect(status).toBe('True');

    // Metrics and the detailed readiness only on the internal listener; the public one says 404.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${internal}/readyz`)).json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'ok' } },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${internal}/metrics`)).text();
    expect(metrics).toMatch(/hostplane_queue_depth\{state="ready"\} \d+/);
    expect(metrics).toMatch(/hostplane_reconcile_outcomes_total\{target="Customer",outcome="True"\} [1-9]/);
    expect(metrics).toContain('hostplane_http_request_duration_seconds');

    proc.child.kill('SIGTERM');
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(0);
  });

  it('answers probes and scrapes with --worker-only, without the API', async () => {
    const port = await freePort();
    const proc = serve(['--worker-only'], { DATABASE_URL: scratch.url, METRICS_PORT: String(port) });
    await proc.waitForOutput('Internal:');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('hostplane_queue_depth');
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`)).status).toBe(404);
    proc.child.kill('SIGTERM');
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses to start with a malformed variable and names it', async () => {
    const proc = serve([], { DATABASE_URL: scratch.url, WORKER_CONCURRENCY: 'many' });
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(2);
    expect(proc.err()).toContain('WORKER_CONCURRENCY: must be a whole number');
  });
});
