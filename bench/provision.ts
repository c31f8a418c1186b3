// npm run bench:provision [-- --n 100] [--concurrency 8]: N customers with one static site each,
// created through the real API (buildApp on loopback, fresh database) and converged by the worker
// (its own process, Customer + Kubernetes targets, the panel service account's token) against the
// local stack's apiserver and kwok. Prints customers/min until all are Ready, p50/p99 POST → Ready,
// the worker's RSS; then the raw baseline (the same desired objects applied by one client); then an
// idle resync of the N Ready customers (writes and duration). Without --n it runs 100, then 1000.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCustomerSnapshot } from '@hostplane/db';
import { desiredTenantObjects, tenantNamespace } from '@hostplane/domain';
import { parsePlatformConfig } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv } from '@hostplane/testing';
import {
  type BenchPanel,
  call,
  createCustomerWithSite,
  createPlan,
  inLanes,
  kubernetesTrueIds,
  podsReady,
  queuedJobs,
  startBenchPanel,
} from './provision-api.ts';
import {
  apiserverRequests,
  BENCH_STORAGE_CLASS,
  createBenchVolumes,
  deleteNamespaces,
  PODS_PER_NODE,
  panelToken,
  removeBenchVolumes,
  startBenchNodes,
  waitFor,
  writesBetween,
} from './provision-cluster.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv: string[]): { sizes: number[]; concurrency: number } {
  const sizes: number[] = [];
  let concurrency = 8;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--n') sizes.push(Number(argv[++i]));
    else if (arg.startsWith('--n=')) sizes.push(Number(arg.slice(4)));
    else if (arg === '--concurrency') concurrency = Number(argv[++i]);
    else if (/^\d+$/.test(arg)) sizes.push(Number(arg));
    else throw new Error(`unknown argument ${arg}; usage: bench:provision [--n N]… [--concurrency C]`);
  }
  for (const n of [...sizes, concurrency]) {
    if (!Number.isInteger(n) || n < 1 || n > 4000) throw new Error(`not a count in 1..4000: ${n}`);
  }
  return { sizes: sizes.length > 0 ? sizes : [100, 1000], concurrency };
}

function ensureStackUp(): void {
  const status = execFileSync('npx', ['hostplane', 'stack', 'status'], { cwd: repo, encoding: 'utf8' });
  if (!/stack: up/.test(status))
    execFileSync('npx', ['hostplane', 'stack', 'up'], { cwd: repo, stdio: 'inherit' });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

interface WorkerChild {
  child: ChildProcess;
  stats(): Promise<{ reads: number; writes: number }>;
  stop(): Promise<void>;
}

async function startWorkerChild(env: NodeJS.ProcessEnv): Promise<WorkerChild> {
  const child = fork(path.join(here, 'provision-worker.ts'), {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve());
  });
  return {
    child,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type?: string; reads?: number; writes?: number }) => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve({ reads: m.reads ?? 0, writes: m.writes ?? 0 });
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Creates N customers (8 HTTP lanes) and polls the API until each one's Kubernetes condition is True and pods Ready. */
async function provisionThroughPanel(panel: BenchPanel, n: number, timeoutMs: number) {
  const planId = await createPlan(panel);
  const postedAt = new Map<number, number>();
  const readyAt = new Map<number, number>();
  const started = performance.now();
  const posting = inLanes(
    Array.from({ length: n }, (_, i) => i),
    8,
    async (i) => {
      const { id, postedAt: at } = await createCustomerWithSite(panel, planId, i);
      postedAt.set(id, at);
    },
  );
  let postsDone = false;
  let postedIn = 0;
  const posted = posting.then(() => {
    postsDone = true;
    postedIn = performance.now() - started;
  });
  while (!postsDone || readyAt.size < n) {
    if (performance.now() - started > timeoutMs) throw new Error(`only ${readyAt.size}/${n} Ready in time`);
    await sleep(2000);
    const now = performance.now();
    const candidates = (await kubernetesTrueIds(panel)).filter((id) => !readyAt.has(id));
    await inLanes(candidates, 4, async (id) => {
      if (await podsReady(panel, id)) readyAt.set(id, now);
    });
  }
  await posted;
  const elapsed = Math.max(...readyAt.values()) - started;
  const latencies = [...readyAt].map(([id, at]) => at - (postedAt.get(id) ?? at)).sort((a, b) => a - b);
  return { ids: [...postedAt.keys()].sort((a, b) => a - b), elapsed, latencies, postedIn };
}

/** The same desired objects (other namespace ids) applied by one client, C lanes, then until the pods are Ready. */
async function provisionRaw(
  client: KubeHttpClient,
  panel: BenchPanel,
  ids: number[],
  idOffset: number,
  lanes: number,
) {
  const config = parsePlatformConfig({
    storage: { storageClass: BENCH_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
    publicAddresses: { ipv4: ['203.0.113.10'] },
  });
  const plans = [];
  for (const id of ids) {
    const snapshot = await loadCustomerSnapshot(panel.db, id);
    if (!snapshot) throw new Error(`no snapshot for customer ${id}`);
    plans.push(desiredTenantObjects({ ...snapshot, id: id + idOffset }, config));
  }
  const namespaces = new Set(ids.map((id) => tenantNamespace(id + idOffset)));
  const started = performance.now();
  await inLanes(plans, lanes, async (objects) => {
    for (const object of objects) await client.apply(object);
  });
  const applied = performance.now() - started;
  const readyAt = new Map<string, number>();
  await waitFor('raw baseline pods Ready', 30 * 60_000, async () => {
    const now = performance.now();
    for (const d of await client.list(KINDS.Deployment, null, 'app.kubernetes.io/managed-by=hostplane')) {
      const ns = d.metadata.namespace ?? '';
      const ready = Number((d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);
      if (namespaces.has(ns) && ready >= 1 && !readyAt.has(ns)) readyAt.set(ns, now);
    }
    return readyAt.size === namespaces.size;
  });
  return { namespaces: [...namespaces], applied, elapsed: Math.max(...readyAt.values()) - started };
}

async function idleResync(panel: BenchPanel, worker: WorkerChild, kubeconfig: string, ids: number[]) {
  const before = { api: await apiserverRequests(kubeconfig), worker: await worker.stats() };
  const started = performance.now();
  await inLanes(ids, 8, async (id) => void (await call(panel, 'POST', `/customers/${id}/reconcile`)));
  await waitFor('resync queue empty', 30 * 60_000, async () => (await queuedJobs(panel.db)) === 0, 250);
  const elapsed = performance.now() - started;
  const after = { api: await apiserverRequests(kubeconfig), worker: await worker.stats() };
  return {
    elapsed,
    workerWrites: after.worker.writes - before.worker.writes,
    workerReads: after.worker.reads - before.worker.reads,
    apiserverWrites: writesBetween(before.api, after.api),
  };
}

/** Panel and raw ids of a run share the 10,000-id block from firstId. */
const inRun = (firstId: number) => (namespace: string) => {
  const id = Number(namespace.replace(/^cust-/, ''));
  return id >= firstId && id < firstId + 10_000;
};

/** Where the run's pods were scheduled: "node count" pairs. */
async function podsByNode(admin: KubeHttpClient, firstId: number): Promise<string> {
  const counts = new Map<string, number>();
  for (const pod of await admin.list(KINDS.Pod, null, 'tenant=true')) {
    if (!inRun(firstId)(pod.metadata.namespace ?? '')) continue;
    const node = String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? 'unscheduled');
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return [...counts].map(([node, count]) => `${node} ${count}`).join(', ');
}

async function removeRunNamespaces(admin: KubeHttpClient, firstId: number): Promise<void> {
  const names = (await admin.list(KINDS.Namespace, null, 'tenant=true'))
    .map((ns) => ns.metadata.name)
    .filter(inRun(firstId));
  // The namespace controller sweeps every resource type (~95 with the stack's CRDs) per namespace.
  const took = await deleteNamespaces(admin, names, Math.max(30 * 60_000, names.length * 3000));
  console.log(`cleanup:  ${names.length} namespaces deleted and gone in ${seconds(took)}`);
}

async function runOnce(n: number, concurrency: number): Promise<void> {
  const env = loadStackEnv();
  const stackDir = path.dirname(path.dirname(env.KUBECONFIG));
  const admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  const run = Date.now().toString(36);
  const firstId = 50_000_000 + Math.floor(Math.random() * 4000) * 10_000;
  const cleanup: (() => Promise<unknown>)[] = [];
  console.log(`\n== N=${n}, worker concurrency ${concurrency}, customer ids from ${firstId} (run ${run})`);
  try {
    const token = await panelToken(admin);
    const nodes = await startBenchNodes(stackDir, Math.ceil((2 * n) / PODS_PER_NODE), run);
    cleanup.push(() => nodes.stop());
    cleanup.push(() => removeBenchVolumes(admin, run));
    await createBenchVolumes(admin, run, 2 * n);
    const panel = await startBenchPanel(env.DATABASE_URL, firstId);
    cleanup.push(() => panel.close());
    cleanup.push(() => removeRunNamespaces(admin, firstId));
    console.log(`setup: ${nodes.names.length} bench kwok nodes, ${2 * n} volumes, API on ${panel.base}`);
    const worker = await startWorkerChild({
      ...process.env,
      DATABASE_URL: panel.url,
      KUBECONFIG: env.KUBECONFIG,
      BENCH_PANEL_TOKEN: token,
      PDNS_DNS_ADDR: env.PDNS_DNS_ADDR,
      BENCH_STORAGE_CLASS,
      BENCH_CONCURRENCY: String(concurrency),
    });
    cleanup.push(() => worker.stop());
    const rss: number[] = [];
    const pid = worker.child.pid ?? 0;
    const sampler = setInterval(() => rss.push(rssMiB(pid)), 1000);
    cleanup.push(async () => clearInterval(sampler));
    const idleRss = rssMiB(pid);

    const panelRun = await provisionThroughPanel(panel, n, Math.max(10 * 60_000, n * 3000));
    const peakRss = Math.max(idleRss, ...rss);
    const panelRate = (n / panelRun.elapsed) * 60_000;
    console.log(
      `panel:    ${n} Ready in ${seconds(panelRun.elapsed)} → ${panelRate.toFixed(1)} customers/min (all POSTs answered after ${seconds(panelRun.postedIn)})`,
    );
    console.log(
      `          POST → Ready p50 ${seconds(percentile(panelRun.latencies, 50))}, p99 ${seconds(percentile(panelRun.latencies, 99))}`,
    );
    console.log(`          worker RSS idle ${idleRss} MiB, peak ${peakRss} MiB (sampled every 1 s)`);

    // Cluster-admin, not the panel's identity: the raw client needs no wait for a fresh RoleBinding to
    // take effect in the authorizer, which makes it the upper bound it is meant to be.
    const raw = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
    cleanup.push(() => raw.close());
    const rawRun = await provisionRaw(raw, panel, panelRun.ids, 5000, concurrency);
    const rawRate = (n / rawRun.elapsed) * 60_000;
    const rawApplyRate = (n / rawRun.applied) * 60_000;
    console.log(
      `raw:      applied in ${seconds(rawRun.applied)} (${rawApplyRate.toFixed(1)}/min), all Ready in ${seconds(rawRun.elapsed)} → ${rawRate.toFixed(1)} customers/min`,
    );
    console.log(
      `ratio:    panel/raw ${((100 * panelRate) / rawRate).toFixed(0)}% (to Ready), ${((100 * panelRate) / rawApplyRate).toFixed(0)}% of the apply-only rate`,
    );

    console.log(`pods:     ${await podsByNode(admin, firstId)}`);

    const resync = await idleResync(panel, worker, env.KUBECONFIG, panelRun.ids);
    const apiserverTotal = resync.apiserverWrites.reduce((sum, [, count]) => sum + count, 0);
    // The panel writes only by PATCH (server-side apply) and DELETE (prune); PATCH is the telling verb.
    const patches = resync.apiserverWrites.filter(([key]) => key.startsWith('PATCH '));
    console.log(
      `resync:   ${n} Ready customers in ${seconds(resync.elapsed)}; worker client ${resync.workerWrites} writes, ${resync.workerReads} reads`,
    );
    console.log(
      `          apiserver, all clients: PATCH ${patches.reduce((sum, [, c]) => sum + c, 0)} (${patches.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); non-read ${apiserverTotal}, largest ${
        resync.apiserverWrites
          .slice(0, 6)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }`,
    );
    console.log(`          worker RSS after resync ${rssMiB(pid)} MiB`);
  } finally {
    // Reverse order: the worker stops before the namespaces go, the nodes go after them. Every step
    // runs even when one fails, so nothing of the bench is left behind on the shared stack.
    for (const step of cleanup.reverse()) {
      await step().catch((err: Error) => console.error(`cleanup step failed: ${err.message}`));
    }
    await admin.close();
  }
}

const { sizes, concurrency } = parseArgs(process.argv.slice(2));
ensureStackUp();
console.log(`bench:provision — sizes ${sizes.join(', ')}; ${process.env.HOSTNAME ?? ''} ${os()}`);
for (const n of sizes) await runOnce(n, concurrency);

function os(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0;
  return `${cpus} cores, node ${process.version}`;
}
