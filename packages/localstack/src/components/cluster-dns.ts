import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { Component, StackContext } from '../component.ts';
import { COREDNS_VERSION } from '../go-programs.ts';
import { type BinaryImageRecipe, ensureImageInNode } from '../images.ts';
import { STACK_HOST, STANDARD_DNS_PORT } from '../ports.ts';
import { writeFileIfChanged } from '../state.ts';
import { ctr } from './containerd.ts';
import { adminKubeConfig, apiserverUrl } from './kube-access.ts';
import { ensureKubePki } from './kube-pki.ts';
import { CLUSTER_DOMAIN, nodePaths, REAL_NODE_IP, REAL_NODE_NAME } from './node-config.ts';

// Cluster DNS of the real node: CoreDNS built from its Go module (go-programs.ts, only the plugins
// below), run by the kubelet as a static pod `kube-system/coredns-<node>` labelled `k8s-app: kube-dns`
// behind the Service `kube-system/kube-dns` at a fixed ClusterIP, which the kubelet gives every pod
// (`clusterDNS`). A static pod needs neither the scheduler nor a ServiceAccount token, and it runs on
// the host network: it reaches the apiserver and the stack's recursor on loopback (neither listens on
// an address pods can route to), and its pod IP (the node IP) is what the Service selects, so
// NetworkPolicies that allow DNS to `k8s-app: kube-dns` pods in kube-system match it.
// Service names resolve from the apiserver (`kubernetes` plugin); every other name goes to the
// stack's recursor (DNS_RESOLVER_ADDR, the local internet).

const NAME = 'coredns';
const FIELD_MANAGER = 'hostplane-localstack';
/** The kube-dns Service's address: fixed, in the static band of the service range (10.96.0.0/12). */
export const CLUSTER_DNS_IP = '10.96.0.10';
export const COREDNS_IMAGE = `registry.k8s.io/coredns/coredns:${COREDNS_VERSION}`;
export const KUBE_DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;
/** The client certificate's user (RBAC below grants it what CoreDNS's `kubernetes` plugin reads). */
export const COREDNS_USER = 'hostplane-coredns';
/** Inside the container: the node folder with the Corefile, kubeconfig and certificate. */
const CONFIG_MOUNT = '/etc/coredns';

export interface CorefileInput {
  listen: string;
  forward: string;
  healthAddr: string;
  readyAddr: string;
  kubeconfig: string;
}

/** The Corefile (pure, tested). TTLs are short: tests and the domain checks see changes at once. */
export function renderCorefile(input: CorefileInput): string {
  return [
    `.:${STANDARD_DNS_PORT} {`,
    `    bind ${input.listen}`,
    '    errors',
    `    health ${input.healthAddr}`,
    `    ready ${input.readyAddr}`,
    `    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
    `        kubeconfig ${input.kubeconfig}`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 5',
    '    }',
    `    forward . ${input.forward}`,
    '    cache 5',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

function dnsPaths(stateDir: string) {
  const node = nodePaths(stateDir);
  const dir = path.join(node.dir, NAME);
  return {
    dir,
    corefile: path.join(dir, 'Corefile'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    manifest: path.join(node.staticPodsDir, `${NAME}.yaml`),
  };
}

export function corednsPorts(ctx: Pick<StackContext, 'ports'>) {
  return { health: ctx.ports.corednsHealth, ready: ctx.ports.corednsReady };
}

/** The static pod the kubelet runs (pure, tested); JSON is YAML, which the kubelet reads. */
export function corednsStaticPod(configDir: string, ports: { health: number; ready: number }) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: NAME,
      namespace: 'kube-system',
      labels: { ...KUBE_DNS_LABELS, 'app.kubernetes.io/name': 'coredns' },
    },
    spec: {
      hostNetwork: true,
      // Its own upstream is the recursor on loopback, not itself.
      dnsPolicy: 'Default',
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: NAME,
          image: COREDNS_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          args: ['-conf', `${CONFIG_MOUNT}/Corefile`],
          resources: { requests: { cpu: '10m', memory: '24Mi' }, limits: { memory: '170Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            // Port 53 on the node IP; nothing else.
            capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
          },
          volumeMounts: [{ name: 'config', mountPath: CONFIG_MOUNT, readOnly: true }],
          livenessProbe: {
            httpGet: { host: STACK_HOST, port: ports.health, path: '/health' },
            periodSeconds: 10,
            failureThreshold: 5,
          },
          readinessProbe: {
            httpGet: { host: STACK_HOST, port: ports.ready, path: '/ready' },
            periodSeconds: 2,
          },
        },
      ],
      volumes: [{ name: 'config', hostPath: { path: configDir, type: 'Directory' } }],
    },
  };
}

/** Service, RBAC (pure, tested): what the cluster holds for its DNS. */
export function clusterDnsObjects() {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        {
          apiGroups: [''],
          resources: ['endpoints', 'services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: COREDNS_USER }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { ...KUBE_DNS_LABELS, 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        clusterIP: CLUSTER_DNS_IP,
        selector: KUBE_DNS_LABELS,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
  ];
}

function kubeconfigFor(dir: string): string {
  const q = JSON.stringify;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: local',
    `  cluster: {server: ${q(apiserverUrl)}, certificate-authority: ${q(`${CONFIG_MOUNT}/ca.crt`)}}`,
    'users:',
    `- name: ${COREDNS_USER}`,
    `  user: {client-certificate: ${q(`${CONFIG_MOUNT}/client.crt`)}, client-key: ${q(`${CONFIG_MOUNT}/client.key`)}}`,
    'contexts:',
    `- name: local`,
    `  context: {cluster: local, user: ${COREDNS_USER}}`,
    'current-context: local',
    `# ${dir} is mounted at ${CONFIG_MOUNT}`,
    '',
  ].join('\n');
}

async function copyIfChanged(from: string, to: string): Promise<void> {
  const [a, b] = await Promise.all([readFile(from), readFile(to).catch(() => undefined)]);
  if (!b || !a.equals(b)) await copyFile(from, to);
}

const run = promisify(execFile);

/** True when the kube-dns ClusterIP answers a Service name from the host (kube-proxy → CoreDNS → apiserver). */
export async function clusterDnsAnswers(name = `kubernetes.default.svc.${CLUSTER_DOMAIN}`): Promise<boolean> {
  try {
    const { stdout } = await run('dig', [`@${CLUSTER_DNS_IP}`, '+short', '+time=1', '+tries=1', name, 'A']);
    return /^\d+\.\d+\.\d+\.\d+$/m.test(stdout);
  } catch {
    return false;
  }
}

export function corednsImageRecipe(binary: string): BinaryImageRecipe {
  return {
    kind: 'binary',
    name: NAME,
    ref: COREDNS_IMAGE,
    binary,
    config: { entrypoint: ['/coredns'], user: '0:0', exposedPorts: ['53/udp', '53/tcp'] },
  };
}

export const coredns: Component = {
  name: NAME,
  dependsOn: ['kubelet', 'kube-proxy'],
  async prepare(ctx) {
    const pki = await ensureKubePki(ctx.stateDir);
    const d = dnsPaths(ctx.stateDir);
    await mkdir(d.dir, { recursive: true, mode: 0o750 });
    const client = pki.cert(NAME);
    await copyIfChanged(pki.caCert, path.join(d.dir, 'ca.crt'));
    await copyIfChanged(client.cert, path.join(d.dir, 'client.crt'));
    await copyIfChanged(client.key, path.join(d.dir, 'client.key'));
    writeFileIfChanged(d.kubeconfig, kubeconfigFor(d.dir), 0o600);
    const ports = corednsPorts(ctx);
    writeFileIfChanged(
      d.corefile,
      renderCorefile({
        listen: REAL_NODE_IP,
        forward: `${STACK_HOST}:${ctx.ports.resolver}`,
        healthAddr: `${STACK_HOST}:${ports.health}`,
        readyAddr: `${STACK_HOST}:${ports.ready}`,
        kubeconfig: `${CONFIG_MOUNT}/kubeconfig`,
      }),
    );
    await ensureImageInNode(
      (args, timeoutMs) => ctr(ctx.stateDir, args, timeoutMs),
      corednsImageRecipe(ctx.binaries.coredns),
      ctx.say,
    );
    const api = KubernetesObjectApi.makeApiClient(adminKubeConfig(ctx.stateDir));
    for (const object of clusterDnsObjects()) {
      await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    }
    // Written last: the kubelet starts the pod as soon as the file appears.
    await mkdir(path.dirname(d.manifest), { recursive: true });
    writeFileIfChanged(d.manifest, `${JSON.stringify(corednsStaticPod(d.dir, ports), null, 2)}\n`);
  },
  // The kubelet runs it (a static pod): no process of the stack's own.
  processes: () => [],
  healthy: () => clusterDnsAnswers(),
  address() {
    return `${CLUSTER_DNS_IP}:53 (Service kube-system/kube-dns → static pod coredns-${REAL_NODE_NAME})`;
  },
};
