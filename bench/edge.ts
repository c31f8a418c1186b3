// npm run bench:edge — figures of the edge on the running local stack (HOSTPLANE_STACK_DIR):
//  1. time from a site's Ingresses being applied to a valid certificate served (HTTP-01 by Pebble),
//     p50 / p99 over N sites (default 10), measured with curl trusting ACME_ROOT_CA only;
//  2. requests per second and p99 latency of one small page through Traefik vs the backend directly,
//     same run, same client (wrk).
// INTERIM: Traefik is the stack's host process and the backend a Node server on the host (the real
// node's pods are not there yet); the Ingresses are the domain's own (siteIngresses).
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { type CustomerSnapshot, type SiteRow, siteIngresses } from '@hostplane/domain';
import { parsePlatformConfig } from '@hostplane/platform';
import { applyWithFingerprint, KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv } from '@hostplane/testing';

const run = promisify(execFile);
const N = Number(process.env.BENCH_SITES ?? 10);
const stack = loadStackEnv();
const [edgeHost = '127.0.0.1', httpPort] = (stack.HTTP_ADDR ?? '').split(':');
const httpsPort = (stack.HTTPS_ADDR ?? '').split(':')[1];
const tag = `b${Date.now().toString(36)}`;
const zone = `${tag}-bench.test`;
const customerId = 800_000 + (process.pid % 50_000);
const ns = `cust-${customerId}`;
const kube = KubeHttpClient.fromKubeconfigFile(stack.KUBECONFIG);
const config = parsePlatformConfig({});
/** The customer as the domain sees it: its one domain, verified (site hosts are routed only then). */
const customer = {
  id: customerId,
  suspended: false,
  domains: [{ name: zone, verified: true }],
} as unknown as CustomerSnapshot;

async function pdns(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${stack.PDNS_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': stack.PDNS_API_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function served(host: string): Promise<boolean> {
  try {
    const { stdout } = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      '5',
      '--cacert',
      stack.ACME_ROOT_CA ?? '',
      '--resolve',
      `${host}:${httpsPort}:${edgeHost}`,
      `https://${host}:${httpsPort}/`,
    ]);
    return stdout === '200';
  } catch {
    return false;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** wrk's requests/s and p99 latency (ms) for one URL with a Host header. */
async function wrk(url: string, host: string): Promise<{ rps: number; p99: number }> {
  const { stdout } = await run('wrk', ['-t2', '-c32', '-d10s', '--latency', '-H', `Host: ${host}`, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99raw = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const unit = { us: 0.001, ms: 1, s: 1000 }[p99raw?.[2] ?? 'ms'] ?? 1;
  return { rps, p99: Number(p99raw?.[1]) * unit };
}

const backend = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<!doctype html><title>bench</title><p>hello</p>\n');
});
await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
const backendPort = (backend.address() as AddressInfo).port;

const hosts = Array.from({ length: N }, (_, i) => `s${i}.${zone}`);
const plainHost = `plain.${zone}`; // never resolves: served over HTTP only, for the throughput run
try {
  await pdns('POST', '/zones', {
    name: `${zone}.`,
    kind: 'Native',
    nameservers: ['ns1.hostplane.test.'],
    rrsets: hosts.map((h) => ({
      name: `${h}.`,
      type: 'A',
      ttl: 60,
      records: [{ content: edgeHost, disabled: false }],
    })),
  });
  await kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns, labels: { bench: 'edge' } },
  });
  const snapshot = customer;
  const sites: SiteRow[] = [...hosts, plainHost].map((host, i) => ({
    name: `site${i}`,
    template: 'static',
    image: null,
    port: null,
    domains: [host],
    www: false,
    replicas: 1,
    database: false,
    databasePassword: null,
  }));
  for (const site of sites) {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: site.name, namespace: ns, labels: { bench: 'edge' } },
      spec: {
        type: 'ExternalName',
        // An address, not 'localhost': Traefik would resolve the name for every new backend connection.
        externalName: '127.0.0.1',
        ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
      },
    });
  }

  // 1. Ingresses → certificate served, one site after the other.
  const seconds: number[] = [];
  for (const site of sites.slice(0, N)) {
    const host = site.domains[0] ?? '';
    const started = Date.now();
    for (const object of siteIngresses(snapshot, site, config, { [host]: true }))
      await applyWithFingerprint(kube, object);
    const deadline = started + 120_000;
    while (!(await served(host))) {
      if (Date.now() > deadline) throw new Error(`${host}: no certificate after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    seconds.push((Date.now() - started) / 1000);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  console.log(
    `certificate served after the Ingress (HTTP-01, Pebble), ${N} sites: p50 ${percentile(sorted, 50).toFixed(2)} s, p99 ${percentile(sorted, 99).toFixed(2)} s (min ${sorted[0]?.toFixed(2)} s)`,
  );

  // 2. Throughput: the same page through Traefik's web entry point and from the backend directly.
  const plain = sites.at(-1) as SiteRow;
  for (const object of siteIngresses(snapshot, plain, config, {})) await applyWithFingerprint(kube, object);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const code = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--resolve',
      `${plainHost}:${httpPort}:${edgeHost}`,
      `http://${plainHost}:${httpPort}/`,
    ]).then(
      (r) => r.stdout,
      () => '',
    );
    if (code === '200') break;
    if (Date.now() > deadline) throw new Error('the HTTP route did not come up');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const direct = await wrk(`http://127.0.0.1:${backendPort}/`, plainHost);
  const edge = await wrk(`http://${edgeHost}:${httpPort}/`, plainHost);
  console.log(
    `through Traefik: ${edge.rps.toFixed(0)} req/s, p99 ${edge.p99.toFixed(2)} ms; backend directly: ${direct.rps.toFixed(0)} req/s, p99 ${direct.p99.toFixed(2)} ms; ratio ${(edge.rps / direct.rps).toFixed(2)}`,
  );
} finally {
  await kube.delete(KINDS.Namespace, null, ns).catch(() => undefined);
  await pdns('DELETE', `/zones/${zone}.`).catch(() => undefined);
  backend.close();
  await kube.close();
}
