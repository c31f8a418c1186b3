// Cluster fixtures of bench/provision.ts: a second kwok controller playing extra bench nodes (the stack's
// kwok manages only its single node, 110 pods), pre-created volumes for the site PVCs (the stack has
// no volume provisioner), the panel's service-account token, apiserver request counters, cleanup.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, statSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPanelRbacOptions, panelRbacManifests } from '@hostplane/platform';
import { KINDS, type KubeHttpClient } from '@hostplane/provisioner-k8s';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export const BENCH_STORAGE_CLASS = 'hostplane-bench';
const NODE_LABEL = 'hostplane.io/bench-node';
const VOLUME_LABEL = 'hostplane.io/bench-volume';
/** Sized like the stack's own fake node (packages/localstack kube-node.ts). */
const NODE_CAPACITY = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '200Gi' };
export const PODS_PER_NODE = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The localcluster binary the stack built (newest cached version), or BENCH_LOCALCLUSTER. */
function localclusterBinary(): string {
  if (process.env.BENCH_LOCALCLUSTER) return process.env.BENCH_LOCALCLUSTER;
  const cache = path.join(process.env.HOME ?? '/root', '.cache/hostplane/localcluster');
  const builds = readdirSync(cache)
    .map((dir) => path.join(cache, dir, 'localcluster'))
    .filter((file) => existsSync(file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!builds[0]) throw new Error(`no localcluster binary under ${cache}; run npx hostplane stack up`);
  return builds[0];
}

export interface BenchNodes {
  names: string[];
  stop(): Promise<void>;
}

/**
 * Starts a kwok controller that manages only nodes labelled hostplane.io/bench-node (the stack's kwok,
 * --manage-single-node, ignores them), registers `count` nodes and waits until kwok reports them Ready.
 */
export async function startBenchNodes(stackDir: string, count: number, run: string): Promise<BenchNodes> {
  const kc = new KubeConfig();
  kc.loadFromFile(path.join(stackDir, 'kube/admin.kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `bench-node-${run}-${i}`);
  for (const name of names) {
    await core.createNode({
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            [NODE_LABEL]: run,
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            type: 'kwok',
          },
        },
      },
    });
    const status = { capacity: NODE_CAPACITY, allocatable: NODE_CAPACITY };
    await core.patchNodeStatus(
      { name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  // kwok starts only now: its node-initialize stage keeps a capacity it finds, but writes its own
  // default (1M pods, 1k cpu) on a node it meets before our status patch — a race seen in a first run.
  const port = 20_900 + Math.floor(Math.random() * 90);
  const kwok: ChildProcess = spawn(
    localclusterBinary(),
    [
      'kwok',
      `--kubeconfig=${path.join(stackDir, 'kube/kwok.kubeconfig')}`,
      `--config=${path.join(stackDir, 'kwok/stages.yaml')}`,
      `--manage-nodes-with-label-selector=${NODE_LABEL}=${run}`,
      '--node-lease-duration-seconds=40',
      '--cidr=10.245.0.0/16',
      '--node-ip=10.240.0.2',
      `--server-address=127.0.0.1:${port}`,
      '--v=WARN',
    ],
    // kwok logs every pod it cannot find while a namespace goes; keep that out of the figures.
    { stdio: ['ignore', 'ignore', openSync(path.join(tmpdir(), `hostplane-bench-kwok-${run}.log`), 'a')] },
  );
  await waitFor(`${count} bench nodes Ready`, 120_000, async () => {
    const nodes = await core.listNode({ labelSelector: `${NODE_LABEL}=${run}` });
    for (const node of nodes.items) {
      const pods = node.status?.allocatable?.pods;
      if (pods !== undefined && pods !== NODE_CAPACITY.pods)
        throw new Error(`${node.metadata?.name} has allocatable pods ${pods}, not ${NODE_CAPACITY.pods}`);
    }
    return (
      nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .length === count
    );
  });
  return {
    names,
    async stop() {
      // Cordon first, so that nothing new lands; then the nodes go (their pods with them) and kwok ends.
      for (const name of names) {
        await core.patchNode(
          { name, body: { spec: { unschedulable: true } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      for (const name of names) await core.deleteNode({ name });
      kwok.kill('SIGTERM');
    },
  };
}

export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  intervalMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A provisioner-less StorageClass and `count` PersistentVolumes the real PV controller binds to site claims. */
export async function createBenchVolumes(admin: KubeHttpClient, run: string, count: number): Promise<void> {
  await admin.apply({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: BENCH_STORAGE_CLASS, labels: {} },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: false,
  });
  for (let i = 0; i < count; i++) {
    await admin.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `hostplane-bench-${run}-${i}`, labels: { [VOLUME_LABEL]: run } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: BENCH_STORAGE_CLASS,
        hostPath: { path: `/tmp/hostplane-bench/${run}/${i}` },
      },
    });
  }
}

export async function removeBenchVolumes(admin: KubeHttpClient, run: string): Promise<void> {
  const volumes = await admin.list(KINDS.PersistentVolume, null, `${VOLUME_LABEL}=${run}`);
  for (const volume of volumes) await admin.delete(KINDS.PersistentVolume, null, volume.metadata.name);
}

/** The panel's RBAC applied as admin, and a token of its service account (TokenRequest), as the k8s tests do. */
export async function panelToken(admin: KubeHttpClient): Promise<string> {
  for (const object of panelRbacManifests()) await admin.apply(object);
  const { namespace, serviceAccount } = defaultPanelRbacOptions;
  return admin.createServiceAccountToken(namespace, serviceAccount, 4 * 3600);
}

/** Deletes the namespaces and waits until the namespace controller has removed them. */
export async function deleteNamespaces(
  admin: KubeHttpClient,
  names: string[],
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  // A few lanes, not thousands of requests at once: the apiserver is shared with everyone's tests.
  const lanes = 8;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < names.length; i += lanes) {
        const name = names[i];
        if (name) await admin.delete(KINDS.Namespace, null, name);
      }
    }),
  );
  const wanted = new Set(names);
  await waitFor('namespaces gone', timeoutMs, async () => {
    const left = await admin.list(KINDS.Namespace, null, 'tenant=true');
    return !left.some((ns) => wanted.has(ns.metadata.name));
  });
  return Date.now() - started;
}

/** `apiserver_request_total` summed by verb and resource (all clients: the apiserver cannot tell them apart). */
export async function apiserverRequests(kubeconfigFile: string): Promise<Map<string, number>> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfigFile} has no current cluster`);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    https
      .get(new URL('/metrics', server), options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      })
      .on('error', reject);
  });
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const verb = /verb="([^"]*)"/.exec(line)?.[1] ?? '?';
    const resource = /resource="([^"]*)"/.exec(line)?.[1] ?? '?';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = `${verb} ${resource}`;
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return totals;
}

const READ_VERBS = new Set(['GET', 'LIST', 'WATCH', 'CONNECT']);

/** Non-read requests between two samples, by "verb resource", largest first. */
export function writesBetween(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  const diff: [string, number][] = [];
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0 && !READ_VERBS.has(key.split(' ')[0] ?? '')) diff.push([key, delta]);
  }
  return diff.sort((a, b) => b[1] - a[1]);
}
