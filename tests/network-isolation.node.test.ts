// Tenant isolation on the wire (issue 12), on the real node (HOSTPLANE_STACK_NODE=real; `npm run
// test:node`): two customers made by the real panel and reconciler (their namespaces, NetworkPolicies
// and a static site each, running in containerd), pods of the nettest image (bash + socat, built by
// `hostplane images build`) as TCP/UDP clients and as listeners standing for the tenants' databases
// and the platform's services (labelled as the platform renders them, fenced by the policies the
// bootstrap renderer makes), the node's NetworkPolicy controller (`localcluster netpol`) enforcing.
// The "internet" is a network namespace this test creates (203.0.113.10); the metadata address and
// the node's address are decoy listeners in the stack's own network namespace. Every probe is one
// connection attempt with a 2 s connect bound, no retries; the matrix lands in the stack's logs folder
// (docs/isolation.md with HOSTPLANE_ISOLATION_DOC=docs/isolation.md).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeObject } from '@hostplane/domain';
import {
  NETTEST_IMAGE,
  REAL_NODE_IP,
  realNodeComponents,
  resolveStateDir,
  stackDown,
  stackUp,
} from '@hostplane/localstack';
import { parseBootstrapConfig, systemNetworkPolicies } from '@hostplane/platform';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { Exec, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlan,
  newPassword,
  type Panel,
  platformInput,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIRST_ID = 800_000 + (process.pid % 20_000) * 10;
const SLOW = 300_000;
const INTERNET_IP = '203.0.113.10';
const METADATA_IP = '169.254.169.254';
const NODE_DECOY_PORT = 18080;
const DNS_NS = `isolation-dns-${runTag}`;
const SUFFIX = String(process.pid % 10_000);
const INTERNET_NETNS = `hp-inet-${SUFFIX}`;
const VETH = `hpinet${SUFFIX}`;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;
type Verdict = 'allowed' | 'refused';
interface Row {
  phase: string;
  source: string;
  destination: string;
  expected: Verdict;
  observed: Verdict;
  ms: number;
}

let panel: Panel;
const customers: Record<'A' | 'B', number> = { A: 0, B: 0 };
let planId = 0;
let planLimits: Record<string, unknown> = {};
const ns = (c: 'A' | 'B') => `cust-${customers[c]}`;
const hostProcesses: ChildProcess[] = [];
const rows: Row[] = [];
const figures: string[] = [];
const kc = new KubeConfig();
kc.loadFromFile(stack.KUBECONFIG);
const exec = new Exec(kc);

const bootstrapConfig = parseBootstrapConfig({
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: { bucket: 'backups', accessKeyId: 'a', secretAccessKey: 's' },
    secrets: Object.fromEntries(
      [
        'pdnsApiKey',
        'pdnsDbPassword',
        'mailDbRootPassword',
        'mailDbPassword',
        'mailDbReadonlyPassword',
        'postgresPassword',
        'panelSecretKey',
        'grafanaAdminPassword',
      ].map((k) => [k, `secret-${k}-0123456789`]),
    ),
  },
});

/** A pod of the nettest image: `script` in bash; listeners (`tcp`/`udp` ports) echo what they read. */
function netPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  options: { tcp?: number[]; udp?: number[]; root?: boolean } = {},
): KubeObject {
  const listeners = [
    ...(options.tcp ?? []).map((p) => `socat TCP-LISTEN:${p},fork,reuseaddr EXEC:cat &`),
    ...(options.udp ?? []).map((p) => `socat UDP-RECVFROM:${p},fork EXEC:cat &`),
  ];
  const security = options.root
    ? { runAsUser: 0 }
    : {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { 'hostplane.test/isolation': runTag, ...labels } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'main',
          image: NETTEST_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/bash', '-c', [...listeners, 'exec sleep infinity'].join('\n')],
          ports: (options.tcp ?? []).map((p) => ({ containerPort: p, protocol: 'TCP' })),
          securityContext: security,
          resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

interface Where {
  namespace: string;
  pod: string;
}

/** One command in a pod's container through the apiserver (as `kubectl exec`); bounded. */
function execIn(where: Where, command: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const timer = setTimeout(() => reject(new Error(`exec in ${where.pod} timed out`)), 20_000);
    exec
      .exec(where.namespace, where.pod, 'main', command, sink, null, null, false, (status) => {
        clearTimeout(timer);
        // The stream may still be flushing: give the last frame a tick.
        setImmediate(() => resolve({ ok: status.status === 'Success', stdout: out }));
      })
      .catch((error) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}

/** One TCP connection attempt from the pod: allowed when it connects within 2 s. */
async function tcpFrom(where: Where, ip: string, port: number): Promise<{ verdict: Verdict; ms: number }> {
  const started = Date.now();
  const { ok } = await execIn(where, [
    'timeout',
    '5',
    'socat',
    '-T1',
    '/dev/null',
    `TCP:${ip}:${port},connect-timeout=2`,
  ]);
  return { verdict: ok ? 'allowed' : 'refused', ms: Date.now() - started };
}

/** One UDP datagram to an echoing listener: allowed when the echo comes back within 2 s. */
async function udpFrom(where: Where, ip: string, port: number): Promise<{ verdict: Verdict; ms: number }> {
  const started = Date.now();
  const { stdout } = await execIn(where, [
    'bash',
    '-c',
    `echo hp-probe | timeout 5 socat -T2 - UDP:${ip}:${port}`,
  ]);
  return { verdict: stdout.includes('hp-probe') ? 'allowed' : 'refused', ms: Date.now() - started };
}

/** From this host (the node itself): a TCP connect bounded at 2 s. */
function tcpFromNode(ip: string, port: number): Promise<{ verdict: Verdict; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: 2_000 });
    const done = (verdict: Verdict) => {
      socket.destroy();
      resolve({ verdict, ms: Date.now() - started });
    };
    socket.once('connect', () => done('allowed'));
    socket.once('timeout', () => done('refused'));
    socket.once('error', () => done('refused'));
  });
}

async function record(
  phase: string,
  source: string,
  destination: string,
  expected: Verdict,
  probe: Promise<{ verdict: Verdict; ms: number }>,
): Promise<void> {
  const { verdict, ms } = await probe;
  rows.push({ phase, source, destination, expected, observed: verdict, ms });
}

async function podIP(where: Where): Promise<string> {
  return waitFor(
    `${where.namespace}/${where.pod} running with an IP`,
    async () => {
      const pod: Obj = await panel.admin.get(KINDS.Pod, where.namespace, where.pod);
      const ready = pod?.status?.containerStatuses?.every((c: Obj) => c.ready);
      return ready && pod.status.podIP ? (pod.status.podIP as string) : undefined;
    },
    { timeoutMs: 180_000 },
  );
}

async function serviceIP(namespace: string, name: string): Promise<string> {
  const svc: Obj = await panel.admin.get(KINDS.Service, namespace, name);
  return svc.spec.clusterIP;
}

function hostListener(args: string[]): void {
  const child = spawn(args[0] as string, args.slice(1), { stdio: 'ignore' });
  hostProcesses.push(child);
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

/** The "internet": a network namespace behind a veth, 203.0.113.10 listening on 80, 443, 25 and 53. */
async function createInternet(): Promise<void> {
  await ip(['netns', 'add', INTERNET_NETNS]);
  await ip(['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', INTERNET_NETNS]);
  await ip(['addr', 'add', '203.0.113.1/24', 'dev', VETH]);
  await ip(['link', 'set', VETH, 'up']);
  const inNs = (args: string[]) => ip(['netns', 'exec', INTERNET_NETNS, 'ip', ...args]);
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['addr', 'add', `${INTERNET_IP}/24`, 'dev', 'eth0']);
  await inNs(['link', 'set', 'eth0', 'up']);
  await inNs(['route', 'add', 'default', 'via', '203.0.113.1']);
  for (const port of [80, 443, 25, 53]) {
    hostListener([
      'ip',
      'netns',
      'exec',
      INTERNET_NETNS,
      'socat',
      `TCP-LISTEN:${port},fork,reuseaddr`,
      'EXEC:cat',
    ]);
  }
  // Decoys in the stack's own network namespace: the metadata address and the node's address.
  // (On loopback: this kernel has no dummy interfaces; an address of the namespace's lo is local all the same.)
  await ip(['addr', 'add', `${METADATA_IP}/32`, 'dev', 'lo']);
  hostListener(['socat', `TCP-LISTEN:80,bind=${METADATA_IP},fork,reuseaddr`, 'EXEC:cat']);
  hostListener(['socat', `TCP-LISTEN:${NODE_DECOY_PORT},bind=${REAL_NODE_IP},fork,reuseaddr`, 'EXEC:cat']);
}

async function removeInternet(): Promise<void> {
  for (const child of hostProcesses) child.kill('SIGTERM');
  await run('ip', ['link', 'del', VETH]).catch(() => undefined);
  await run('ip', ['addr', 'del', `${METADATA_IP}/32`, 'dev', 'lo']).catch(() => undefined);
  await run('ip', ['netns', 'del', INTERNET_NETNS]).catch(() => undefined);
}

const where = (namespace: string, pod: string): Where => ({ namespace, pod });
const clientA = () => where(ns('A'), 'probe');
const clientB = () => where(ns('B'), 'probe');
const edgePod = where('ingress-system', `edge-${runTag}`);
const panelPod = where('panel-system', `panel-${runTag}`);
const mailPod = where('mail-system', `dovecot-${runTag}`);
const unfenced = where(DNS_NS, 'kube-dns');

async function createCustomer(label: 'A' | 'B'): Promise<void> {
  const created = await panel.http('POST', '/customers', {
    name: `Isolation ${label}`,
    email: `owner-${label.toLowerCase()}@${runTag}-iso.test`,
    planId,
    password: newPassword(),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  customers[label] = created.body.id;
  const site = await panel.http('POST', `/customers/${created.body.id}/sites`, {
    name: 'web',
    template: 'static',
  });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
}

async function sitePodIP(c: 'A' | 'B'): Promise<string> {
  return waitFor(
    `site web of ${c} running`,
    async () => {
      const [pod]: Obj[] = await panel.admin.list(KINDS.Pod, ns(c), 'hostplane.io/site=web');
      return pod?.status?.containerStatuses?.every((s: Obj) => s.ready) ? pod.status.podIP : undefined;
    },
    { timeoutMs: 240_000 },
  );
}

async function tenantPolicies(c: 'A' | 'B'): Promise<void> {
  await waitFor(
    `the seven NetworkPolicies of ${c}`,
    async () => (await panel.admin.list(KINDS.NetworkPolicy, ns(c))).length >= 7,
    { timeoutMs: 120_000 },
  );
}

beforeAll(async () => {
  panel = await startPanel(FIRST_ID, {
    ...platformInput,
    // The cluster resolver the tenants' allow-dns policy names: this test's decoy namespace (a
    // stand-in until the node runs CoreDNS in kube-system).
    clusterDns: { namespace: DNS_NS, podLabels: { 'k8s-app': 'kube-dns' } },
  });
  await panel.startWorker();
  const plan = await createPlan(panel, 'iso', { cpu: '4', domains: 1 });
  expect(plan.limits.outboundSmtp).toBe(false);
  planId = plan.id;
  planLimits = plan.limits;
  await createCustomer('A');
  await createCustomer('B');
  await tenantPolicies('A');
  await tenantPolicies('B');

  // System namespaces with the policies the bootstrap renderer makes, and listeners labelled as its pods.
  for (const name of ['panel-system', 'dns-system', 'mail-system', 'ingress-system', DNS_NS]) {
    await panel.admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: {} } });
  }
  for (const name of ['panel-system', 'dns-system', 'mail-system']) {
    for (const policy of systemNetworkPolicies(bootstrapConfig, name)) await panel.admin.apply(policy);
  }
  const app = (name: string) => ({ 'app.kubernetes.io/name': name });
  const pods = [
    netPod(ns('A'), 'db', { 'hostplane.io/component': 'database' }, { tcp: [3306] }),
    netPod(ns('B'), 'db', { 'hostplane.io/component': 'database' }, { tcp: [3306] }),
    netPod(ns('A'), 'probe', {}),
    netPod(ns('B'), 'probe', {}),
    netPod('panel-system', panelPod.pod, app('panel'), { tcp: [8080, 9090] }),
    netPod('panel-system', `panel-db-${runTag}`, app('panel-db'), { tcp: [5432] }),
    netPod('dns-system', `pdns-${runTag}`, app('pdns'), { tcp: [8081, 1053] }),
    netPod('mail-system', `mail-db-${runTag}`, app('mail-db'), { tcp: [3306] }),
    netPod('mail-system', mailPod.pod, app('dovecot')),
    netPod('ingress-system', edgePod.pod, app('traefik')),
    netPod(DNS_NS, 'kube-dns', { 'k8s-app': 'kube-dns' }, { tcp: [53], udp: [53], root: true }),
  ];
  for (const pod of pods) await panel.admin.apply(pod);
  await panel.admin.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: DNS_NS, labels: {} },
    spec: {
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      ],
    },
  });
  await createInternet();
}, 600_000);

afterAll(async () => {
  await removeInternet();
  for (const c of ['A', 'B'] as const) {
    if (!customers[c]) continue;
    await panel?.http('DELETE', `/customers/${customers[c]}`);
    await panel?.admin.delete(KINDS.Namespace, null, ns(c)).catch(() => undefined);
  }
  for (const pod of [edgePod, panelPod, mailPod]) {
    await panel?.admin.delete(KINDS.Pod, pod.namespace, pod.pod).catch(() => undefined);
  }
  for (const name of [`panel-db-${runTag}`]) {
    await panel?.admin.delete(KINDS.Pod, 'panel-system', name).catch(() => undefined);
  }
  await panel?.admin.delete(KINDS.Pod, 'dns-system', `pdns-${runTag}`).catch(() => undefined);
  await panel?.admin.delete(KINDS.Pod, 'mail-system', `mail-db-${runTag}`).catch(() => undefined);
  await panel?.admin.delete(KINDS.Namespace, null, DNS_NS).catch(() => undefined);
  await panel?.close();
});

interface Targets {
  webA: string;
  webB: string;
  svcB: string;
  dbA: string;
  dbB: string;
  panel: string;
  panelDb: string;
  mailDb: string;
  pdns: string;
  dns: string;
  apiserver: string;
}

async function targets(): Promise<Targets> {
  return {
    webA: await sitePodIP('A'),
    webB: await sitePodIP('B'),
    svcB: await serviceIP(ns('B'), 'web'),
    dbA: await podIP(where(ns('A'), 'db')),
    dbB: await podIP(where(ns('B'), 'db')),
    panel: await podIP(panelPod),
    panelDb: await podIP(where('panel-system', `panel-db-${runTag}`)),
    mailDb: await podIP(where('mail-system', `mail-db-${runTag}`)),
    pdns: await podIP(where('dns-system', `pdns-${runTag}`)),
    dns: await serviceIP(DNS_NS, 'kube-dns'),
    apiserver: await serviceIP('default', 'kubernetes'),
  };
}

async function waitForClients(): Promise<void> {
  for (const w of [clientA(), clientB(), edgePod, mailPod, unfenced]) await podIP(w);
}

/** The matrix of the issue (and the controls that show each refusal is the policy's doing). */
async function matrix(phase: string, t: Targets): Promise<void> {
  const a = clientA();
  const A = `A (${ns('A')})`;
  const checks: [string, string, Verdict, () => Promise<{ verdict: Verdict; ms: number }>][] = [
    [A, "B's web pod :8080", 'refused', () => tcpFrom(a, t.webB, 8080)],
    [A, "B's Service web :80", 'refused', () => tcpFrom(a, t.svcB, 80)],
    [A, "B's database :3306", 'refused', () => tcpFrom(a, t.dbB, 3306)],
    [A, "A's own database :3306", 'allowed', () => tcpFrom(a, t.dbA, 3306)],
    [A, "A's own web pod :8080", 'allowed', () => tcpFrom(a, t.webA, 8080)],
    [A, 'panel API :8080 (panel-system)', 'refused', () => tcpFrom(a, t.panel, 8080)],
    [A, 'panel metrics :9090 (panel-system)', 'refused', () => tcpFrom(a, t.panel, 9090)],
    [A, 'panel PostgreSQL :5432', 'refused', () => tcpFrom(a, t.panelDb, 5432)],
    [A, 'mail DB :3306 (mail-system)', 'refused', () => tcpFrom(a, t.mailDb, 3306)],
    [A, 'PowerDNS API :8081 (dns-system)', 'refused', () => tcpFrom(a, t.pdns, 8081)],
    [A, 'apiserver (Service kubernetes :443)', 'refused', () => tcpFrom(a, t.apiserver, 443)],
    [A, `kubelet ${REAL_NODE_IP}:20250`, 'refused', () => tcpFrom(a, REAL_NODE_IP, 20250)],
    [
      A,
      `node address ${REAL_NODE_IP}:${NODE_DECOY_PORT} (decoy)`,
      'refused',
      () => tcpFrom(a, REAL_NODE_IP, NODE_DECOY_PORT),
    ],
    [A, `${METADATA_IP}:80 (decoy)`, 'refused', () => tcpFrom(a, METADATA_IP, 80)],
    [A, 'cluster resolver UDP 53 (Service)', 'allowed', () => udpFrom(a, t.dns, 53)],
    [A, 'cluster resolver TCP 53 (Service)', 'allowed', () => tcpFrom(a, t.dns, 53)],
    [A, `internet ${INTERNET_IP}:80`, 'allowed', () => tcpFrom(a, INTERNET_IP, 80)],
    [A, `internet ${INTERNET_IP}:443`, 'allowed', () => tcpFrom(a, INTERNET_IP, 443)],
    [A, `internet ${INTERNET_IP}:25`, 'refused', () => tcpFrom(a, INTERNET_IP, 25)],
    [A, `internet ${INTERNET_IP}:53 (outside resolver)`, 'refused', () => tcpFrom(a, INTERNET_IP, 53)],
    ['ingress-system pod', "A's web pod :8080", 'allowed', () => tcpFrom(edgePod, t.webA, 8080)],
    ['ingress-system pod', "A's database :3306", 'refused', () => tcpFrom(edgePod, t.dbA, 3306)],
    [`B (${ns('B')})`, "A's database :3306", 'refused', () => tcpFrom(clientB(), t.dbA, 3306)],
    // Controls: the same destinations answer the sources the policies name.
    ['panel pod (panel-system)', 'PowerDNS API :8081', 'allowed', () => tcpFrom(panelPod, t.pdns, 8081)],
    [
      'panel pod (panel-system)',
      'panel PostgreSQL :5432',
      'allowed',
      () => tcpFrom(panelPod, t.panelDb, 5432),
    ],
    ['panel pod (panel-system)', 'mail DB :3306', 'allowed', () => tcpFrom(panelPod, t.mailDb, 3306)],
    ['mail-system pod', 'mail DB :3306', 'allowed', () => tcpFrom(mailPod, t.mailDb, 3306)],
    ['mail-system pod', 'panel PostgreSQL :5432', 'refused', () => tcpFrom(mailPod, t.panelDb, 5432)],
    ['ingress-system pod', 'PowerDNS API :8081', 'refused', () => tcpFrom(edgePod, t.pdns, 8081)],
    [
      'pod without policies',
      `${METADATA_IP}:80 (decoy)`,
      'allowed',
      () => tcpFrom(unfenced, METADATA_IP, 80),
    ],
    [
      'pod without policies',
      `node address ${REAL_NODE_IP}:${NODE_DECOY_PORT}`,
      'allowed',
      () => tcpFrom(unfenced, REAL_NODE_IP, NODE_DECOY_PORT),
    ],
    [
      'pod without policies',
      `internet ${INTERNET_IP}:25`,
      'allowed',
      () => tcpFrom(unfenced, INTERNET_IP, 25),
    ],
    ['pod without policies', "B's web pod :8080", 'refused', () => tcpFrom(unfenced, t.webB, 8080)],
    ['the node itself', `${METADATA_IP}:80 (decoy)`, 'allowed', () => tcpFromNode(METADATA_IP, 80)],
  ];
  // Eight probes at a time (each is its own exec and connection; a refused one waits out its 2 s
  // bound), recorded in the order of the table.
  const results: Promise<{ verdict: Verdict; ms: number }>[] = [];
  let next = 0;
  const lanes = Array.from({ length: 8 }, async () => {
    while (next < checks.length) {
      const i = next++;
      const probe = checks[i]![3]();
      results[i] = probe;
      await probe;
    }
  });
  await Promise.all(lanes);
  for (const [i, [source, destination, expected]] of checks.entries()) {
    await record(phase, source, destination, expected, results[i]!);
  }
}

function writeIsolationDoc(): void {
  const table = (phase: string) => [
    '| source | destination | expected | observed | ms |',
    '|---|---|---|---|---|',
    ...rows
      .filter((r) => r.phase === phase)
      .map(
        (r) =>
          `| ${r.source} | ${r.destination} | ${r.expected} | ${r.observed}${r.observed === r.expected ? '' : ' ✗'} | ${r.ms} |`,
      ),
  ];
  const phases = [...new Set(rows.map((r) => r.phase))];
  const doc = [
    '# Tenant isolation on the wire',
    '',
    'Written by `tests/network-isolation.node.test.ts` on the real node (`HOSTPLANE_ISOLATION_DOC=docs/isolation.md npm run test:node`): every row is one',
    'connection attempt from a real container (image `nettest`: bash + socat) with a 2 s connect bound and no',
    'retry; "refused" means no connection within the bound (the policy drops). Tenants A and B are customers',
    'made through the panel API (namespaces, NetworkPolicies and static sites by the reconciler); their',
    'databases and the platform services are listeners labelled as the platform renders those pods, fenced by',
    "the bootstrap renderer's NetworkPolicies. The internet is a network namespace at 203.0.113.10; the",
    "metadata address and the node address are decoys inside the stack's network namespace. The cluster",
    'resolver is a decoy DNS pod (echo on UDP/TCP 53) behind a Service, named by the platform config',
    '(`clusterDns`), until the node runs CoreDNS. Enforcement: `localcluster netpol` (docs/network-policy.md).',
    '',
    ...phases.flatMap((p) => [`## ${p}`, '', ...table(p), '']),
    '## Figures',
    '',
    ...figures.map((f) => `- ${f}`),
    '',
  ].join('\n');
  // Each run writes the matrix beside the stack's logs; the tracked docs/isolation.md is rewritten only
  // when asked (HOSTPLANE_ISOLATION_DOC=docs/isolation.md), so a test run leaves the tree as it was.
  const target = process.env.HOSTPLANE_ISOLATION_DOC
    ? join(repoRoot, process.env.HOSTPLANE_ISOLATION_DOC)
    : join(resolveStateDir(), 'logs', 'isolation.md');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, doc);
}

function mismatches(phase: string): Row[] {
  return rows.filter((r) => r.phase === phase && r.observed !== r.expected);
}

/** Polls a probe until it gives `want`; the seconds from `since`. */
async function convergence(
  what: string,
  since: number,
  want: Verdict,
  probe: () => Promise<{ verdict: Verdict; ms: number }>,
): Promise<number> {
  await waitFor(what, async () => (await probe()).verdict === want, { timeoutMs: 60_000, intervalMs: 100 });
  return (Date.now() - since) / 1000;
}

describe('tenant isolation on the real node', () => {
  let t: Targets;

  it(
    'the isolation matrix holds pod to pod',
    async () => {
      t = await targets();
      await waitForClients();
      await matrix('Matrix', t);
      writeIsolationDoc();
      expect(mismatches('Matrix')).toEqual([]);
    },
    SLOW,
  );

  it(
    'a policy change converges within seconds (a policy object, and a plan change through the API)',
    async () => {
      // A policy applied by hand: B may reach A's database.
      const policy: KubeObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `isolation-probe-${runTag}`, namespace: ns('A'), labels: {} },
        spec: {
          podSelector: { matchLabels: { 'hostplane.io/component': 'database' } },
          policyTypes: ['Ingress'],
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns('B') } } }] },
          ],
        },
      };
      // B's egress is fenced too: its own policy toward A's database.
      const egress: KubeObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `isolation-probe-${runTag}`, namespace: ns('B'), labels: {} },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns('A') } } }] },
          ],
        },
      };
      const opened = Date.now();
      await panel.admin.apply(policy);
      await panel.admin.apply(egress);
      const openS = await convergence('B reaches A db', opened, 'allowed', () =>
        tcpFrom(clientB(), t.dbA, 3306),
      );
      const closed = Date.now();
      await panel.admin.delete(KINDS.NetworkPolicy, ns('A'), policy.metadata.name);
      await panel.admin.delete(KINDS.NetworkPolicy, ns('B'), egress.metadata.name);
      const closeS = await convergence('B refused again', closed, 'refused', () =>
        tcpFrom(clientB(), t.dbA, 3306),
      );
      figures.push(
        `policy objects applied → enforced: open ${openS.toFixed(2)} s, close ${closeS.toFixed(2)} s (close includes the 2 s probe bound)`,
      );

      // The plan opens port 25: panel API → reconciler → allow-internet → controller → iptables.
      const limits = planLimits;
      const started = Date.now();
      const patched = await panel.http('PATCH', `/plans/${planId}`, {
        limits: { ...limits, outboundSmtp: true },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const planS = await convergence('A reaches internet :25', started, 'allowed', () =>
        tcpFrom(clientA(), INTERNET_IP, 25),
      );
      const back = Date.now();
      await panel.http('PATCH', `/plans/${planId}`, { limits: { ...limits, outboundSmtp: false } });
      const planBackS = await convergence('A refused on :25 again', back, 'refused', () =>
        tcpFrom(clientA(), INTERNET_IP, 25),
      );
      figures.push(
        `plan outboundSmtp true through the API → port 25 open: ${planS.toFixed(2)} s; back to false → closed: ${planBackS.toFixed(2)} s`,
      );
      writeIsolationDoc();
      expect(openS).toBeLessThan(10);
      expect(planS).toBeLessThan(60);
    },
    SLOW,
  );

  it('the policies hold across a restart of the node (containerd, netpol, kubelet, kube-proxy)', async () => {
    const stopped = Date.now();
    await stackDown({ only: realNodeComponents, say: () => undefined });
    await stackUp({ say: () => undefined });
    // Pods come back in new sandboxes (new IPs): the controller follows them.
    const after = await targets();
    await waitForClients();
    figures.push(
      `node restart (stack down/up of the node's components) → every probe pod running again: ${((Date.now() - stopped) / 1000).toFixed(1)} s`,
    );
    await matrix('After a node restart', after);
    writeIsolationDoc();
    expect(mismatches('After a node restart')).toEqual([]);
  }, 600_000);
});
