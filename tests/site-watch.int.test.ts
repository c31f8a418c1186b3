// The worker's site watch against the stack's apiserver: a change of a site Deployment's observed
// status asks for the customer's pass (it runs, with no mutation and no resync), a change the status
// does not read (a label) asks for nothing, and a watch that cannot reach its apiserver is
// reported and retried with a growing backoff.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PanelDatabase } from '@hostplane/db';
import { KINDS, KubeHttpClient, siteWorkloadWatch } from '@hostplane/provisioner-k8s';
import { type ChangeSink, customerStatusTarget } from '@hostplane/reconcile';
import {
  createPanelScratchDb,
  insertCustomer,
  insertPlan,
  loadStackEnv,
  type PanelScratchDb,
  waitFor,
} from '@hostplane/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../apps/worker/src/start-worker.ts';

const stack = loadStackEnv();
const FIRST_ID = 840_000 + (process.pid % 20_000) * 10;
let fresh: PanelScratchDb;
let db: Kysely<PanelDatabase>;
let admin: KubeHttpClient;
let customerId: number;
const namespace = () => `cust-${customerId}`;

beforeAll(async () => {
  fresh = await createPanelScratchDb('watch');
  db = fresh.db;
  await sql`alter table customers alter column id restart with ${sql.lit(FIRST_ID)}`.execute(db);
  customerId = await insertCustomer(db, await insertPlan(db), 'Watched');
  admin = KubeHttpClient.fromKubeconfigFile(stack.KUBECONFIG);
  const labels = {
    'app.kubernetes.io/managed-by': 'hostplane',
    'customer-id': String(customerId),
    tenant: 'true',
  };
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace(), labels } });
  await admin.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'home', namespace: namespace(), labels: { ...labels, 'hostplane.io/site': 'home' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { 'hostplane.io/site': 'home' } },
      template: {
        metadata: { labels: { ...labels, 'hostplane.io/site': 'home', 'hostplane.io/component': 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.invalid/none:1' }] },
      },
    },
  });
});

afterAll(async () => {
  await admin?.delete(KINDS.Namespace, null, namespace()).catch(() => undefined);
  await admin?.close();
  await fresh?.drop();
});

async function conditions(): Promise<number> {
  const rows = await db
    .selectFrom('customer_conditions')
    .select('type')
    .where('customer_id', '=', customerId)
    .execute();
  return rows.length;
}

async function pendingJob(): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from graphile_worker._private_jobs where key = ${`reconcile-${customerId}`}`.execute(
    db,
  );
  return Number(rows[0]?.n) > 0;
}

async function counter(registry: Registry, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('hostplane_watch_events_total')?.get();
  return (metric?.values ?? [])
    .filter((v) => v.labels.kind === 'Deployment' && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('the site watch', () => {
  it('a Deployment status change runs the customer pass; a label change does not', async () => {
    const registry = new Registry();
    // Resync period 60 min: the customer's slot comes once an hour, the test takes seconds; and the
    // start-up sweep enqueues nothing. Only the watch can ask for this pass.
    const worker = await startWorker({
      connectionString: fresh.url,
      db,
      targets: [customerStatusTarget],
      changeFeeds: [siteWorkloadWatch({ kubeconfig: stack.KUBECONFIG })],
      changeCoalesceMs: 200,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      registry,
      resyncMinutes: 60,
      pollIntervalMs: 200,
    });
    try {
      await waitFor(
        'the watches synced',
        async () => {
          const metric = await registry.getSingleMetric('hostplane_watch_synced')?.get();
          const kinds = (metric?.values ?? []).filter((v) => v.value > 0).map((v) => v.labels.kind);
          return kinds.includes('Deployment') && kinds.includes('Pod') ? true : undefined;
        },
        30_000,
      );
      // A write the status does not read: the watch sees it (counted as ignored) and asks for nothing.
      const ignoredBefore = await counter(registry, 'ignored');
      await admin.patchMerge(
        KINDS.Deployment,
        namespace(),
        'home',
        // A label: an annotation would not do, the apiserver bumps a Deployment's generation for it.
        { metadata: { labels: { 'example.com/touched': String(Date.now()) } } },
        'test-hand',
      );
      await waitFor(
        'the label event judged',
        async () => ((await counter(registry, 'ignored')) > ignoredBefore ? true : undefined),
        30_000,
      );
      expect(await pendingJob()).toBe(false);
      expect(await conditions()).toBe(0);

      // What a controller writes when the site's pod goes unready: the pass runs.
      await admin.patchMerge(
        KINDS.Deployment,
        namespace(),
        'home',
        { status: { observedGeneration: 1, replicas: 1, readyReplicas: 0, unavailableReplicas: 1 } },
        'test-controller',
        'status',
      );
      await waitFor(
        'the pass the watch asked for',
        async () => ((await conditions()) > 0 ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
      expect(await counter(registry, 'changed')).toBeGreaterThan(0);
    } finally {
      await worker.stop();
    }
  }, 90_000);

  it('a watch that cannot reach its apiserver reports each failure and retries with a growing backoff', async () => {
    // A port that refuses: taken, then closed again.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'watch-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      readFileSync(stack.KUBECONFIG, 'utf8').replace(
        /server: "?https:\/\/[^\s"]+"?/,
        `server: "https://127.0.0.1:${port}"`,
      ),
    );
    const feed = siteWorkloadWatch({ kubeconfig, restartBaseMs: 50, restartCapMs: 200 });
    const delays: Record<string, number[]> = {};
    const sink: ChangeSink = {
      changed: () => {
        throw new Error('nothing can change behind a refused connection');
      },
      ignored: () => undefined,
      synced: () => {
        throw new Error('nothing can be listed behind a refused connection');
      },
      failed: (kind, _err, retryInMs) => {
        delays[kind] = [...(delays[kind] ?? []), retryInMs];
      },
    };
    await feed.start(sink);
    try {
      await waitFor(
        'four failures of each watch',
        async () =>
          (delays.Deployment?.length ?? 0) >= 4 && (delays.Pod?.length ?? 0) >= 4 ? true : undefined,
        30_000,
      );
    } finally {
      await feed.stop();
    }
    expect(delays.Deployment?.slice(0, 4)).toEqual([50, 100, 200, 200]);
    expect(delays.Pod?.slice(0, 4)).toEqual([50, 100, 200, 200]);
  });
});
