// The panel side of bench/provision.ts: a fresh panel database, the real API (buildApp) on loopback,
// and the HTTP calls a billing system or the panel UI would make: plan, customers, sites, status, resync.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp, createAdminUser, createApiToken } from '@hostplane/api';
import type { PanelDatabase } from '@hostplane/db';
import { createPanelScratchDb } from '@hostplane/testing';
import { type Kysely, sql } from 'kysely';

export interface BenchPanel {
  url: string;
  db: Kysely<PanelDatabase>;
  base: string;
  token: string;
  close(): Promise<void>;
}

/**
 * A fresh database on the stack's PostgreSQL whose customer ids start at `firstCustomerId` (so the
 * bench's namespaces never meet those of tests running at the same time, which start at 1001), and
 * the API listening on 127.0.0.1 with an admin token.
 */
export async function startBenchPanel(serverUrl: string, firstCustomerId: number): Promise<BenchPanel> {
  const scratch = await createPanelScratchDb('bench_provision', { max: 10, serverUrl });
  const { db } = scratch;
  await sql`select setval(pg_get_serial_sequence('customers', 'id'), ${firstCustomerId - 1})`.execute(db);
  const adminId = await createAdminUser(db, 'bench@hostplane.test', randomBytes(12).toString('hex'));
  const { token } = await createApiToken(db, adminId, { name: 'bench', scope: 'write' });
  const app = await buildApp({ db, config: { logLevel: 'silent' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: scratch.url,
    db,
    base: `http://127.0.0.1:${port}/api/v1`,
    token,
    async close() {
      await app.close();
      await scratch.drop();
    },
  };
}

export async function call<T>(panel: BenchPanel, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${panel.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${panel.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function createPlan(panel: BenchPanel): Promise<number> {
  const plan = await call<{ id: number }>(panel, 'POST', '/plans', {
    name: `bench-${randomBytes(3).toString('hex')}`,
    limits: {
      cpu: '2',
      memory: '4Gi',
      storage: '10Gi',
      sites: 1,
      domains: 1,
      mailboxes: 1,
      mailboxQuota: '1Gi',
      databases: 1,
      backupRetentionDays: 7,
    },
  });
  return plan.id;
}

/** POST /customers then POST …/sites (one static site); returns the id and when the first POST went out. */
export async function createCustomerWithSite(
  panel: BenchPanel,
  planId: number,
  index: number,
): Promise<{ id: number; postedAt: number }> {
  const postedAt = performance.now();
  const customer = await call<{ id: number }>(panel, 'POST', '/customers', {
    name: `Bench ${index}`,
    email: `bench${index}@bench-provision.test`,
    planId,
  });
  await call(panel, 'POST', `/customers/${customer.id}/sites`, {
    name: 'web',
    template: 'static',
    domains: [`c${customer.id}.bench-provision.test`],
  });
  return { id: customer.id, postedAt };
}

interface CustomerView {
  id: number;
  generation: number;
  status: { conditions: { type: string; status: string; observedGeneration: number }[] };
}
interface SiteView {
  name: string;
  status: { state: string; replicas?: { desired: number; ready: number } } | null;
}

/** Customer ids whose Kubernetes condition is True for their current generation (GET /customers, paged). */
export async function kubernetesTrueIds(panel: BenchPanel): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/customers?limit=200${cursor ? `&cursor=${cursor}` : ''}`;
    const page: { items: CustomerView[]; nextCursor: string | null } = await call(panel, 'GET', query);
    for (const c of page.items) {
      const k8s = c.status.conditions.find((cond) => cond.type === 'Kubernetes');
      if (k8s?.status === 'True' && k8s.observedGeneration === c.generation) ids.push(c.id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** The site's status in the API says its pods are Ready (ready replicas ≥ desired ≥ 1). */
export async function podsReady(panel: BenchPanel, id: number): Promise<boolean> {
  const body = await call<SiteView[] | { items: SiteView[] }>(panel, 'GET', `/customers/${id}/sites`);
  const sites = Array.isArray(body) ? body : body.items;
  return (
    sites.length > 0 &&
    sites.every((s) => {
      const replicas = s.status?.replicas;
      return (
        s.status?.state === 'Ready' &&
        replicas !== undefined &&
        replicas.ready >= Math.max(1, replicas.desired)
      );
    })
  );
}

/** Jobs still in the reconcile queue (ready, scheduled or running). */
export async function queuedJobs(db: Kysely<PanelDatabase>): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from graphile_worker.jobs`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Runs `task` over `items` in `lanes` parallel lanes, in order within a lane. */
export async function inLanes<T>(items: T[], lanes: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item);
      }
    }),
  );
}
