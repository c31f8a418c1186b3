// npm run bench:edge-node — the edge on the real node (HOSTPLANE_STACK_NODE=real, inside the stack's
// network namespace): the production ingress step of `hostplane bootstrap` (Traefik as a pod, its web
// entry point bound on the node by a hostPort) in front of a static site pod (the platform's nginx
// image, its default page). Requests per second and p99 latency of the same page through Traefik
// (node address + hostPort, Host header) vs the pod's Service directly (ClusterIP, kube-proxy): same
// run, same client (wrk), one after the other. Everything it applied is removed at the end.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { KubeObject } from '@hostplane/domain';
import { REAL_NODE_IP } from '@hostplane/localstack';
import { parsePlatformConfig } from '@hostplane/platform';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { clusterIp, installMailCluster } from '../tests/support/mail-cluster.ts';

const run = promisify(execFile);
const WEB_PORT = 21080;
const DURATION = process.env.BENCH_DURATION ?? '10s';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '32';
const tag = Date.now().toString(36);
const ns = `bench-edge-${tag}`;
const host = `bench-${tag}.test`;
const labels = { 'app.kubernetes.io/name': 'bench-site', 'hostplane.io/bench': tag };

const nginx = parsePlatformConfig({}).images.nginx;

const site = (ingressClassName: string): KubeObject[] =>
  [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'site', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: nginx,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 2 },
                resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'site', namespace: ns, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'site', namespace: ns, labels },
      spec: {
        ingressClassName,
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'site', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ] as unknown as KubeObject[];

interface Wrk {
  requestsPerSecond: number;
  p99Ms: number;
}

function ms(value: string, unit: string): number {
  return Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
}

async function wrk(url: string, extra: string[] = []): Promise<Wrk> {
  const { stdout } = await run(
    'wrk',
    ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}`, '--latency', ...extra, url],
    { timeout: 120_000 },
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1];
  if (!rps || !p99) throw new Error(`wrk said:\n${stdout}`);
  if (non2xx) throw new Error(`${non2xx} answers were not 2xx/3xx:\n${stdout}`);
  return { requestsPerSecond: Number(rps), p99Ms: ms(p99[1] ?? '0', p99[2] ?? 'ms') };
}

async function main(): Promise<void> {
  // The ingress step only, applied and waited for as `bootstrap --apply` does.
  const cluster = await installMailCluster({
    steps: ['ingress'],
    bootstrap: {
      edge: { serviceType: 'ClusterIP', hostPorts: { web: WEB_PORT, websecure: WEB_PORT + 363 } },
    },
  });
  const { kube, config } = cluster;
  const ingressReady = cluster.readySeconds;
  try {
    for (const object of site(config.ingress.className)) await kube.apply(object);
    const service = await clusterIp(kube, ns, 'site');
    const direct = `http://${service}:80/`;
    const edge = `http://${REAL_NODE_IP}:${WEB_PORT}/`;
    const curl = async (url: string, extra: string[] = []) =>
      (
        await run('curl', [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--max-time',
          '3',
          ...extra,
          url,
        ]).catch(() => ({ stdout: 'error' }))
      ).stdout;
    await waitFor('the site through its Service', async () => (await curl(direct)) === '200', {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await waitFor(
      'the site through Traefik',
      async () => (await curl(edge, ['-H', `Host: ${host}`])) === '200',
      {
        timeoutMs: 120_000,
        intervalMs: 500,
      },
    );
    // Warm both paths (connection pools, Traefik's router), then measure one after the other.
    await wrk(edge, ['-H', `Host: ${host}`, '-d2s']).catch(() => undefined);
    await wrk(direct, ['-d2s']).catch(() => undefined);
    const throughEdge = await wrk(edge, ['-H', `Host: ${host}`]);
    const toService = await wrk(direct);
    const load = (await run('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
    process.stdout.write(
      `${JSON.stringify(
        {
          ingressStepReadySeconds: ingressReady,
          wrk: `-t2 -c${CONNECTIONS} -d${DURATION}`,
          throughTraefik: throughEdge,
          serviceDirectly: toService,
          ratioRps: Number((throughEdge.requestsPerSecond / toService.requestsPerSecond).toFixed(3)),
          loadAverage: load,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await kube.delete(KINDS.Namespace, null, ns).catch(() => undefined);
    await cluster.uninstall();
  }
}

await main();
