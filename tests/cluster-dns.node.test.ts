// Cluster DNS on the real node (`npm run test:node`): a real pod, with the kubelet's resolv.conf,
// resolves a Service by its short and full names through CoreDNS (the kube-dns Service), and a name of
// the local internet through CoreDNS's forward to the stack's recursor (root → test. → the domain's
// DNS host), which no file of the pod or the node knows.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CLUSTER_DNS_IP, REAL_NODE_IP, REAL_NODE_NAME } from '@hostplane/localstack';
import { parsePlatformConfig } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { dropElsewhere, hostElsewhere, loadStackEnv, type StackEnv, waitFor } from '@hostplane/testing';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tag = randomBytes(4).toString('hex');
const ns = `dns-${tag}`;
const domain = `elsewhere-${tag}.test`;
const EXTERNAL_ADDRESS = '192.0.2.55';

let env: StackEnv;
let admin: KubeHttpClient;
let core: CoreV1Api;
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;

beforeAll(async () => {
  env = loadStackEnv();
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  const kc = new KubeConfig();
  kc.loadFromFile(env.KUBECONFIG);
  core = kc.makeApiClient(CoreV1Api);
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: {} } });
  await admin.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns, labels: {} },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await hostElsewhere(env, domain, [{ name: `www.${domain}`, type: 'A', records: [EXTERNAL_ADDRESS] }]);
});

afterAll(async () => {
  await admin?.delete(KINDS.Namespace, null, ns).catch(() => undefined);
  if (env) await dropElsewhere(env, domain);
});

async function digFromHost(name: string): Promise<string> {
  const { stdout } = await run('dig', [`@${CLUSTER_DNS_IP}`, '+short', '+time=2', '+tries=1', name, 'A']);
  return stdout.trim();
}

describe('cluster DNS on the real node', () => {
  it('is CoreDNS in kube-system behind the kube-dns Service, selected by k8s-app: kube-dns', async () => {
    const service: Obj = await admin.get(KINDS.Service, 'kube-system', 'kube-dns');
    expect(service.spec.clusterIP).toBe(CLUSTER_DNS_IP);
    expect(service.metadata.labels['k8s-app']).toBe('kube-dns');
    const [pod]: Obj[] = await admin.list(KINDS.Pod, 'kube-system', 'k8s-app=kube-dns');
    expect(pod.spec.nodeName).toBe(REAL_NODE_NAME);
    expect(pod.status.podIP).toBe(REAL_NODE_IP);
    expect(pod.status.containerStatuses[0].state.running).toBeTruthy();
    expect(pod.status.containerStatuses[0].image).toMatch(/^registry\.k8s\.io\/coredns\/coredns:v/);
  });

  it('a pod resolves Service names and names of the outside world', async () => {
    const service: Obj = await admin.get(KINDS.Service, ns, 'web');
    const fqdn = `web.${ns}.svc.cluster.local`;
    // CoreDNS has seen the new Service (its watch) before the pod asks.
    await waitFor(`${fqdn} from the host`, async () => (await digFromHost(fqdn)) === service.spec.clusterIP, {
      timeoutMs: 30_000,
    });

    const image = parsePlatformConfig({}).images.nginx;
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'resolver', namespace: ns, labels: {} },
      spec: {
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'probe',
            image,
            imagePullPolicy: 'IfNotPresent',
            command: [
              '/bin/sh',
              '-c',
              `cat /etc/resolv.conf; getent hosts web; getent hosts ${fqdn}; getent hosts www.${domain}`,
            ],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    });
    const phase = await waitFor(
      'the resolver pod finished',
      async () => {
        const pod: Obj = await admin.get(KINDS.Pod, ns, 'resolver');
        const p = pod?.status?.phase;
        return p === 'Succeeded' || p === 'Failed' ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const log = await core.readNamespacedPodLog({ name: 'resolver', namespace: ns });
    expect(phase, log).toBe('Succeeded');
    const lines = log.split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines).toContainEqual(['nameserver', CLUSTER_DNS_IP]);
    const search = lines.find((l) => l[0] === 'search') ?? [];
    expect(search.slice(1, 4)).toEqual([`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local']);
    // `web` through the search path and the full name: both the Service's ClusterIP.
    expect(lines.filter((l) => l[0] === service.spec.clusterIP && l[1] === fqdn)).toHaveLength(2);
    expect(lines).toContainEqual([EXTERNAL_ADDRESS, `www.${domain}`]);
  });
});
