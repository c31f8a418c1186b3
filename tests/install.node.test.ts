// Installing the platform onto the real node (DESIGN.md §4, issue 14): `hostplane bootstrap --local
// --apply` puts dns-system (PowerDNS), mail-system (mail DB, Postfix, Dovecot, Rspamd, webmail),
// ingress-system (Traefik as a pod, its web, mail and DNS entry points on the node by hostPorts),
// backup-system (Velero + node agent, the stack's S3 store as the BackupStorageLocation), monitoring-
// system (Prometheus alone, the local equivalent of kube-prometheus-stack, scraping the panel and
// Traefik) and panel-system (API, worker, web, from the images `hostplane images build` made) on the
// node; then
// everything goes through the IN-CLUSTER panel's public entry point (Traefik, TLS from Pebble): an admin
// and a token made with the CLI inside the panel's image (`kubectl exec`), a plan, a customer, a
// delegated and verified domain, a static site that answers over HTTPS with a Pebble certificate, a
// mailbox. `dig` at the DNS entry point returns the site's A and the domain's MX; mail through the SMTP
// entry point arrives, mail submitted through the submission entry point arrives DKIM-signed (verified
// against the key the DNS entry point serves), both read over IMAP through the IMAP entry point;
// the customer's Backup condition is True (its Velero Schedule in backup-system); deleting the customer
// removes it from Kubernetes, DNS and mail. A second `--apply` writes nothing.
// Nothing here talks to a panel process on the host.
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { READY_PAGE_TEXT } from '@hostplane/domain';
import { localMailCaFile, REAL_NODE_NAME, resolveStateDir } from '@hostplane/localstack';
import {
  delegateDomain,
  dropElsewhere,
  hostElsewhere,
  loadStackEnv,
  repoRoot,
  waitFor,
} from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digAt,
  dkimResults,
  type ImapEntryPoint,
  imapAt,
  imapMessageAt,
  swaksAt,
} from './support/mail-edge.ts';

const run = promisify(execFile);
const SLOW = 900_000;
const tag = `${process.pid}`;
const cliBin = path.join(repoRoot, 'apps', 'cli', 'bin', 'hostplane.js');
const stack = () => loadStackEnv();
const figures: Record<string, number> = {};

/** `hostplane …` of this repository, with stdin; resolves with the exit code and output. */
function hostplane(
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { ...process.env, HOSTPLANE_STACK_NODE: 'real' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** `kubectl -n panel-system exec deploy/panel -- hostplane …`: the CLI inside the panel's image. */
async function inPanel(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        stack().KUBECONFIG,
        '-n',
        'panel-system',
        'exec',
        '-i',
        'deploy/panel',
        '--',
        'hostplane',
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}${out}`)),
    );
    child.stdin.end(input ?? '');
  });
}

/** `kubectl auth can-i --as` the API's service account (a SubjectAccessReview). */
async function canApi(args: string[]): Promise<boolean> {
  const result = await run('kubectl', [
    '--kubeconfig',
    stack().KUBECONFIG,
    'auth',
    'can-i',
    '--as',
    'system:serviceaccount:panel-system:hostplane-panel-api',
    ...args,
  ]).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  return result.trim() === 'yes';
}

const httpsPort = () => stack().HTTPS_ADDR!.split(':')[1]!;
const edgeHost = () => stack().HTTPS_ADDR!.split(':')[0]!;

/** curl through the edge's websecure entry point, trusting only Pebble's root. */
async function curlHttps(
  host: string,
  urlPath: string,
  extra: string[] = [],
): Promise<{ code: string; body: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', [
      '-sS',
      '--max-time',
      '15',
      '--cacert',
      stack().ACME_ROOT_CA ?? '',
      '--resolve',
      `${host}:${httpsPort()}:${edgeHost()}`,
      '-w',
      '\n%{http_code}',
      ...extra,
      `https://${host}:${httpsPort()}${urlPath}`,
    ]);
    const lines = stdout.split('\n');
    return { code: lines.at(-1) ?? '', body: lines.slice(0, -1).join('\n'), stderr };
  } catch (error) {
    return { code: 'error', body: '', stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
}

let panelHost = '';
let token = '';
let customerId = 0;
let domainName = '';

/** The in-cluster panel's API through Traefik (PANEL_URL). */
// biome-ignore lint/suspicious/noExplicitAny: API answers read by the assertions that check them
async function api(method: string, apiPath: string, body?: object): Promise<{ status: number; body: any }> {
  const res = await curlHttps(panelHost, `/api/v1${apiPath}`, [
    '-X',
    method,
    '-H',
    `authorization: Bearer ${token}`,
    ...(body ? ['-H', 'content-type: application/json', '--data', JSON.stringify(body)] : []),
  ]);
  if (res.code === 'error') throw new Error(`${method} ${apiPath}: ${res.stderr}`);
  return { status: Number(res.code), body: res.body ? JSON.parse(res.body) : null };
}

/** The certificate the edge presents for `host` (SNI), as PEM. */
async function servedCertificate(host: string): Promise<X509Certificate> {
  const { stdout } = await run('sh', [
    '-c',
    `echo | openssl s_client -connect ${edgeHost()}:${httpsPort()} -servername ${host} 2>/dev/null | openssl x509`,
  ]);
  return new X509Certificate(stdout);
}

/** When the install began (the node had none of the platform): the start of "empty node to first site". */
let installStarted = 0;

/** The working set of the platform's pods (kubelet's stats summary through the apiserver), in MiB. */
async function platformMemoryMiB(namespaces: string[]): Promise<Record<string, number>> {
  const { stdout } = await run('kubectl', [
    ...['--kubeconfig', stack().KUBECONFIG, 'get', '--raw'],
    `/api/v1/nodes/${REAL_NODE_NAME}/proxy/stats/summary`,
  ]);
  const summary = JSON.parse(stdout) as {
    pods: { podRef: { namespace: string }; memory?: { workingSetBytes?: number } }[];
  };
  const out: Record<string, number> = {};
  for (const pod of summary.pods) {
    const ns = pod.podRef.namespace;
    if (!namespaces.includes(ns)) continue;
    out[ns] = (out[ns] ?? 0) + (pod.memory?.workingSetBytes ?? 0) / 2 ** 20;
  }
  return out;
}

beforeAll(async () => {
  const started = Date.now();
  installStarted = started;
  const first = await hostplane(['bootstrap', '--local', '--apply', '--timeout', '600', '--output', 'json']);
  expect(first.code, first.stderr).toBe(0);
  figures.bootstrapSeconds = (Date.now() - started) / 1000;
  const result = JSON.parse(first.stdout) as { panelUrl: string };
  panelHost = new URL(result.panelUrl).hostname;
  expect(result.panelUrl).toBe(`https://${panelHost}:${httpsPort()}`);
}, SLOW);

// The other node tests expect the stack's host edge at HTTP_ADDR/HTTPS_ADDR (a site's logs read its
// access log): `bootstrap --local --uninstall` takes the install out again and brings the host edge
// back, as before this file; a second run finds nothing left to delete.
afterAll(async () => {
  const removed = await hostplane([
    'bootstrap',
    '--local',
    '--uninstall',
    '--timeout',
    '300',
    '--output',
    'json',
  ]);
  expect(removed.code, removed.stderr).toBe(0);
  const deleted = (JSON.parse(removed.stdout) as { steps: { deleted: string[] }[] }).steps.flatMap(
    (s) => s.deleted,
  );
  expect(deleted).toEqual(
    expect.arrayContaining(['Deployment/panel-system/panel', 'Deployment/ingress-system/traefik']),
  );
  // Its workloads are gone (a namespace that existed before the install, e.g. made by the
  // integration suites, stays: the bootstrap removes only what it created).
  for (const ns of ['panel-system', 'ingress-system']) {
    const left = await run('kubectl', [
      '--kubeconfig',
      stack().KUBECONFIG,
      'get',
      'deployments,statefulsets,ingresses',
      '-n',
      ns,
      '-o',
      'name',
    ]);
    expect(left.stdout.trim(), ns).toBe('');
  }
  expect(existsSync(path.join(resolveStateDir(), 'bootstrap-local.json'))).toBe(false);
  const env = await hostplane(['stack', 'env']);
  expect(env.stdout).not.toContain('PANEL_URL');
  // The host edge answers at HTTP_ADDR again (a 404 for a host it does not route).
  const edgeUp = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `http://${stack().HTTP_ADDR}/`,
  ]);
  expect(edgeUp.stdout).toBe('404');
  const again = await hostplane(['bootstrap', '--local', '--uninstall', '--output', 'json']);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).deleted).toBe(0);
}, SLOW);

describe('hostplane bootstrap --local on the real node', () => {
  it(
    'prints PANEL_URL in stack env, and a second --apply writes nothing (and --diff agrees)',
    async () => {
      const env = await hostplane(['stack', 'env']);
      expect(env.stdout).toContain(`export PANEL_URL=https://${panelHost}:${httpsPort()}`);
      const second = await hostplane(['bootstrap', '--local', '--apply', '--output', 'json']);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout).applied).toBe(0);
      const diff = await hostplane(['bootstrap', '--local', '--diff', '--output', 'json']);
      const steps = JSON.parse(diff.stdout).steps as { file: string; changes: string[] }[];
      expect(steps.map((s) => s.file)).toEqual([
        '02-dns-system.yaml',
        '03-mail-system.yaml',
        '04-ingress-system.yaml',
        '05-backup-system.yaml',
        '06-monitoring-system.yaml',
        '07-panel-system.yaml',
      ]);
      expect(steps.flatMap((s) => s.changes)).toEqual([]);
      // The platform's pods idle (nothing provisioned yet): their working set, per namespace and in all.
      const memory = await platformMemoryMiB([
        'dns-system',
        'mail-system',
        'ingress-system',
        'backup-system',
        'monitoring-system',
        'panel-system',
      ]);
      const total = Object.values(memory).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `install figures: platform pods idle ${total.toFixed(0)} MiB ${JSON.stringify(Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Math.round(v)])))}\n`,
      );
      expect(total).toBeGreaterThan(0);
      const status = await hostplane(['bootstrap', '--local', 'status']);
      expect(status.code, status.stdout).toBe(0);
      for (const file of steps.map((s) => s.file))
        expect(status.stdout).toMatch(new RegExp(`${file.replace('.', '\\.')}\\s+Ready`));
      // backup-system's node agent (a DaemonSet) and storage location, monitoring's Prometheus.
      expect(status.stdout).toMatch(/ready\s+1\/1\s+DaemonSet\/backup-system\/node-agent/);
      expect(status.stdout).toMatch(/ready\s+Available\s+BackupStorageLocation\/backup-system\/default/);
      expect(status.stdout).toMatch(/ready\s+1\/1\s+Deployment\/monitoring-system\/prometheus/);
      // backup-system's node agent (a DaemonSet) and storage location, monitoring's Prometheus.
      expect(status.stdout).toMatch(/ready\s+1\/1\s+DaemonSet\/backup-system\/node-agent/);
      expect(status.stdout).toMatch(/ready\s+Available\s+BackupStorageLocation\/backup-system\/default/);
      expect(status.stdout).toMatch(/ready\s+1\/1\s+Deployment\/monitoring-system\/prometheus/);
      // The entry points of the in-cluster edge, beside the host ones.
      for (const name of ['EDGE_SMTP_ADDR', 'EDGE_SUBMISSION_ADDR', 'EDGE_IMAP_ADDR', 'EDGE_DNS_ADDR'])
        expect(env.stdout).toMatch(new RegExp(`export ${name}=127\\.0\\.0\\.1:\\d+`));
    },
    SLOW,
  );

  it(
    "backup-system's storage location is Available, and Prometheus (monitoring-system) scrapes the panel: its target is up",
    async () => {
      const kubectl = async (args: string[]) =>
        (await run('kubectl', ['--kubeconfig', stack().KUBECONFIG, ...args])).stdout.trim();
      // Velero reached the stack's S3 store through the node gateway (the step waited for this).
      expect(
        await kubectl([
          '-n',
          'backup-system',
          'get',
          'backupstoragelocation',
          'default',
          '-o',
          'jsonpath={.status.phase}',
        ]),
      ).toBe('Available');
      expect(
        await kubectl([
          '-n',
          'backup-system',
          'get',
          'daemonset',
          'node-agent',
          '-o',
          'jsonpath={.status.numberReady}',
        ]),
      ).toBe('1');
      // Prometheus' HTTP API through its Service, from the node (kube-proxy's ClusterIP).
      const ip = await kubectl([
        '-n',
        'monitoring-system',
        'get',
        'service',
        'prometheus',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ]);
      type Target = { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string };
      const seen: { targets: Target[] } = { targets: [] };
      const up = await waitFor(
        "the panel's target up in Prometheus",
        async () => {
          const res = await fetch(`http://${ip}:9090/api/v1/targets?state=active`, {
            signal: AbortSignal.timeout(5_000),
          }).catch(() => undefined);
          if (!res?.ok) return undefined;
          const body = (await res.json()) as { data: { activeTargets: Target[] } };
          seen.targets = body.data.activeTargets;
          const wanted = (app: string) =>
            seen.targets.find(
              (t) =>
                t.labels.app === app &&
                t.labels.namespace === (app === 'traefik' ? 'ingress-system' : 'panel-system'),
            );
          const all = ['panel', 'panel-worker', 'traefik'].map(wanted);
          return all.every((t) => t?.health === 'up') ? all : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2_000 },
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}; targets: ${JSON.stringify(seen.targets.map((t) => [t.labels.job, t.labels.app, t.health, t.lastError]))}`,
        );
      });
      expect(up.map((t) => t?.scrapeUrl)).toEqual([
        expect.stringMatching(/^http:\/\/[\d.]+:9090\/metrics$/),
        expect.stringMatching(/^http:\/\/[\d.]+:9090\/metrics$/),
        expect.stringMatching(/^http:\/\/[\d.]+:9100\/metrics$/),
      ]);
      // A sample of the panel's own metrics is there (the scrape parsed what /metrics serves).
      const query = await fetch(
        `http://${ip}:9090/api/v1/query?query=${encodeURIComponent('up{job="panel"}')}`,
      );
      const result = ((await query.json()) as { data: { result: { value: [number, string] }[] } }).data
        .result;
      expect(result.length).toBeGreaterThanOrEqual(2);
      expect(result.every((r) => r.value[1] === '1')).toBe(true);
    },
    SLOW,
  );

  it('gives the in-cluster identities exactly their rights (SubjectAccessReview through kubectl auth can-i --as)', async () => {
    const can = async (who: string, args: string[]): Promise<boolean> => {
      const result = await run('kubectl', [
        '--kubeconfig',
        stack().KUBECONFIG,
        'auth',
        'can-i',
        '--as',
        who,
        ...args,
      ]).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? '',
      );
      return result.trim() === 'yes';
    };
    const worker = 'system:serviceaccount:panel-system:hostplane-panel';
    const apiSa = 'system:serviceaccount:panel-system:hostplane-panel-api';
    const traefik = 'system:serviceaccount:ingress-system:traefik';
    // The worker writes tenant namespaces and binds the tenant role in them; nothing in kube-system.
    expect(await can(worker, ['create', 'namespaces'])).toBe(true);
    expect(await can(worker, ['create', 'rolebindings', '-n', 'cust-1001'])).toBe(true);
    expect(await can(worker, ['get', 'secrets', '-n', 'kube-system'])).toBe(false);
    expect(await can(worker, ['create', 'clusterrolebindings'])).toBe(false);
    // Its site watch: list and watch Deployments and pods in every namespace (one label-selected
    // watch per kind), read-only: no get, no write, no logs or exec outside tenant namespaces.
    for (const resource of ['deployments.apps', 'pods']) {
      expect(await can(worker, ['list', resource, '--all-namespaces'])).toBe(true);
      expect(await can(worker, ['watch', resource, '--all-namespaces'])).toBe(true);
      expect(await can(worker, ['get', resource, '-n', 'kube-system'])).toBe(false);
      expect(await can(worker, ['patch', resource, '-n', 'kube-system'])).toBe(false);
      expect(await can(worker, ['delete', resource, '-n', 'kube-system'])).toBe(false);
    }
    expect(await can(worker, ['get', 'pods', '--subresource=log', '-n', 'kube-system'])).toBe(false);
    expect(await can(worker, ['create', 'pods', '--subresource=exec', '-n', 'kube-system'])).toBe(false);
    // The API has no rights outside tenant namespaces (its reads there are checked with a customer below).
    expect(await can(apiSa, ['list', 'pods', '-n', 'panel-system'])).toBe(false);
    expect(await can(apiSa, ['get', 'secrets', '-n', 'panel-system'])).toBe(false);
    expect(await can(apiSa, ['list', 'pods', '--all-namespaces'])).toBe(false);
    expect(await can(apiSa, ['get', 'pods', '--subresource=log', '-n', 'kube-system'])).toBe(false);
    // Its token is mounted (the live reads need it); the worker may hand it the reader role only.
    expect(await can(worker, ['bind', 'clusterroles/hostplane-tenant-reader'])).toBe(true);
    expect(await can(worker, ['bind', 'clusterroles/cluster-admin'])).toBe(false);
    // Traefik reads routes and their Secrets, writes Ingress status, and nothing else.
    expect(await can(traefik, ['watch', 'ingresses', '--all-namespaces'])).toBe(true);
    expect(await can(traefik, ['update', 'ingresses', '--subresource=status', '-n', 'cust-1001'])).toBe(true);
    expect(await can(traefik, ['create', 'secrets', '-n', 'ingress-system'])).toBe(false);
    expect(await can(traefik, ['delete', 'pods', '-n', 'ingress-system'])).toBe(false);
    // With backup-system installed the worker runs with backups: it writes its customers' Velero
    // Schedules, Backups and Restores there, reads the node agent, and nothing else in backup-system.
    for (const resource of ['schedules.velero.io', 'backups.velero.io', 'restores.velero.io']) {
      expect(await can(worker, ['create', resource, '-n', 'backup-system'])).toBe(true);
      expect(await can(worker, ['delete', resource, '-n', 'backup-system'])).toBe(true);
      expect(await can(worker, ['create', resource, '-n', 'kube-system'])).toBe(false);
    }
    expect(await can(worker, ['list', 'podvolumebackups.velero.io', '-n', 'backup-system'])).toBe(true);
    expect(await can(worker, ['get', 'daemonsets/node-agent', '-n', 'backup-system'])).toBe(true);
    expect(await can(worker, ['get', 'secrets', '-n', 'backup-system'])).toBe(false);
    expect(await can(worker, ['patch', 'backupstoragelocations.velero.io', '-n', 'backup-system'])).toBe(
      false,
    );
    expect(await can(apiSa, ['create', 'backups.velero.io', '-n', 'backup-system'])).toBe(false);
    // Prometheus finds its targets by DNS: no Kubernetes rights at all.
    const prometheus = 'system:serviceaccount:monitoring-system:default';
    expect(await can(prometheus, ['list', 'pods', '--all-namespaces'])).toBe(false);
    expect(await can(prometheus, ['get', 'secrets', '-n', 'panel-system'])).toBe(false);
  });

  it(
    'provisions a customer through the in-cluster panel: its static site answers over HTTPS with a Pebble certificate',
    async () => {
      // The panel's own host gets its certificate from Pebble (HTTP-01 through the same edge).
      const login = await waitFor(
        'the panel host over HTTPS',
        async () => {
          const res = await curlHttps(panelHost, '/login');
          return res.code === '200' ? res : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 2_000 },
      );
      expect(login.body).toMatch(/<html/i);
      const email = `install-${tag}@example.com`;
      const password = `pw-${tag}-${Date.now()}`;
      await inPanel(['admin', 'create', '--email', email, '--password-stdin'], password);
      token = (await inPanel(['token', 'create', '--email', email, '--name', `install-${tag}`]))
        .trim()
        .split('\n')
        .at(-1)!;
      expect(token.length).toBeGreaterThan(20);

      const t0 = Date.now();
      const plan = await api('POST', '/plans', {
        name: `install-${tag}`,
        limits: {
          cpu: '1',
          memory: '1Gi',
          storage: '2Gi',
          sites: 2,
          domains: 2,
          mailboxes: 1,
          mailboxQuota: '1Gi',
          databases: 0,
          backupRetentionDays: 3,
        },
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      const customer = await api('POST', '/customers', {
        name: `Install ${tag}`,
        email: `owner-${tag}@example.com`,
        planId: plan.body.id,
      });
      expect(customer.status, JSON.stringify(customer.body)).toBe(201);
      const id = customer.body.id as number;
      const domain = `inst${tag}.test`;
      customerId = id;
      domainName = domain;
      const added = await api('POST', `/customers/${id}/domains`, { name: domain, mail: true });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      // The registry delegates the domain to the platform's name servers: the worker (in the cluster,
      // through the node gateway to the stack's resolver) sees the NS proof.
      await delegateDomain(stack(), domain);
      await api('POST', `/customers/${id}/domains/${domain}/verify`);
      await waitFor(
        `${domain} verified`,
        async () => {
          const res = await api('GET', `/customers/${id}/domains/${domain}`);
          if (res.body?.verification?.state !== 'Verified') {
            await api('POST', `/customers/${id}/domains/${domain}/verify`);
            return undefined;
          }
          return true;
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      const host = `www.${domain}`;
      const site = await api('POST', `/customers/${id}/sites`, {
        name: 'home',
        template: 'static',
        domains: [host],
      });
      expect(site.status, JSON.stringify(site.body)).toBe(201);
      const page = await waitFor(
        `https://${host} served`,
        async () => {
          const res = await curlHttps(host, '/');
          return res.code === '200' ? res : undefined;
        },
        { timeoutMs: 600_000, intervalMs: 3_000 },
      );
      figures.firstSiteSeconds = (Date.now() - t0) / 1000;
      figures.emptyNodeToFirstSiteSeconds = (Date.now() - installStarted) / 1000;
      expect(page.body).toContain(READY_PAGE_TEXT);
      const cert = await servedCertificate(host);
      expect(cert.subjectAltName).toContain(`DNS:${host}`);
      const root = new X509Certificate(readFileSync(stack().ACME_ROOT_CA ?? ''));
      expect(cert.issuer).toMatch(/Pebble/i);
      expect(root.subject).toMatch(/Pebble/i);
      // Plain HTTP redirects to HTTPS once the certificate exists.
      const { stdout } = await run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{redirect_url}',
        '--resolve',
        `${host}:${stack().HTTP_ADDR!.split(':')[1]}:${edgeHost()}`,
        `http://${host}:${stack().HTTP_ADDR!.split(':')[1]}/`,
      ]);
      expect(stdout).toMatch(/^30[18] https:\/\//);
      // The site's logs through the in-cluster API (its own service account reads cust-* pod logs):
      // nginx's access log lines of the requests above.
      const ns = `cust-${id}`;
      expect(await canApi(['get', 'pods', '--subresource=log', '-n', ns])).toBe(true);
      expect(await canApi(['list', 'pods', '-n', ns])).toBe(true);
      expect(await canApi(['get', 'secrets', '-n', ns])).toBe(false);
      expect(await canApi(['create', 'pods', '-n', ns])).toBe(false);
      const marker = `install-logs-${tag}`;
      expect((await curlHttps(host, `/?${marker}`)).code).toBe('200');
      const siteLogs = await waitFor(
        `${host}'s logs through ${panelHost}`,
        async () => {
          const res = await api('GET', `/customers/${id}/sites/home/logs?since=15m&tail=200&container=nginx`);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          const items = res.body.items as { message: string; container: string; pod: string }[];
          return items.find((l) => l.message.includes(`GET /?${marker} `));
        },
        { timeoutMs: 60_000, intervalMs: 2_000 },
      );
      expect(siteLogs).toMatchObject({ container: 'nginx', pod: expect.stringMatching(/^home-/) });
      // The in-cluster worker runs with backups (backup-system is installed): the customer's Backup
      // condition is True and its Velero Schedule exists in backup-system.
      const backupCondition = await waitFor(
        `customer ${id}'s Backup condition True`,
        async () => {
          const res = await api('GET', `/customers/${id}`);
          const conditions = (res.body?.status?.conditions ?? []) as { type: string; status: string }[];
          const c = conditions.find((x) => x.type === 'Backup');
          return c?.status === 'True' ? c : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2_000 },
      );
      expect(backupCondition.status).toBe('True');
      const schedules = await run('kubectl', [
        ...['--kubeconfig', stack().KUBECONFIG, '-n', 'backup-system', 'get', 'schedules.velero.io'],
        ...['-l', `customer-id=${id}`, '-o', 'jsonpath={.items[*].spec.template.includedNamespaces}'],
      ]);
      expect(schedules.stdout).toContain(`cust-${id}`);
      process.stdout.write(
        `install figures: bootstrap ${figures.bootstrapSeconds?.toFixed(1)} s, first site ${figures.firstSiteSeconds?.toFixed(1)} s, empty node to first site ${figures.emptyNodeToFirstSiteSeconds?.toFixed(1)} s\n`,
      );
    },
    SLOW,
  );
  it(
    'serves the domain at the DNS entry point, mail through the SMTP, submission and IMAP entry points (DKIM-signed), and deleting the customer removes it everywhere',
    async () => {
      expect(customerId, 'the site case provisioned a customer').toBeGreaterThan(0);
      const env = stack();
      const dnsAddr = env.EDGE_DNS_ADDR!;
      const mailHost = `mail.${panelHost.split('.').slice(1).join('.')}`;
      const host = `www.${domainName}`;
      // The customer's zone through PowerDNS in dns-system, at the DNS entry point: the site's A (the
      // platform's public address) and the domain's MX (the platform's mail host), over UDP and TCP.
      await waitFor(
        `${host} A and ${domainName} MX at ${dnsAddr}`,
        async () =>
          (await digAt(dnsAddr, host, 'A')) === '127.0.0.1' &&
          new RegExp(`^\\d+ ${mailHost.replaceAll('.', '\\.')}\\.$`).test(
            await digAt(dnsAddr, domainName, 'MX', '+tcp'),
          ),
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );

      const mailbox = { address: `ann@${domainName}`, password: `pw-${tag}-${Date.now()}` };
      const created = await api('POST', `/customers/${customerId}/mailboxes`, {
        address: mailbox.address,
        password: mailbox.password,
        quota: '256Mi',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const imap: ImapEntryPoint = {
        addr: env.EDGE_IMAP_ADDR!,
        scheme: 'imap',
        mailHost,
        caFile: localMailCaFile(resolveStateDir()),
      };
      // The Mail target wrote the mailbox into mail-system's database: IMAP login through the edge.
      const started = Date.now();
      await waitFor(
        `${mailbox.address} logs in over IMAP at ${imap.addr}`,
        async () =>
          await imapAt(imap, mailbox, '/', ['-X', 'NOOP']).then(
            () => true,
            () => false,
          ),
        { timeoutMs: 120_000, intervalMs: 2_000 },
      );
      figures.mailboxReadySeconds = (Date.now() - started) / 1000;

      // From outside: an SMTP client of the local internet to the SMTP entry point.
      const sender = `sender-${tag}.test`;
      await hostElsewhere(env, sender, [
        { name: `mx.${sender}`, type: 'A', records: ['127.0.0.1'] },
        { name: sender, type: 'MX', records: [`10 mx.${sender}.`] },
      ]);
      try {
        const inbound = `inbound ${tag}`;
        const out = await swaksAt(env.EDGE_SMTP_ADDR!, [
          ...['--helo', `mx.${sender}`, '--from', `someone@${sender}`, '--to', mailbox.address],
          ...['--header', `Subject: ${inbound}`, '--body', 'hello through the smtp entry point'],
        ]);
        expect(out).toMatch(/<-\s+250 2\.0\.0 Ok: queued/);
        const got = await imapMessageAt(imap, mailbox, inbound, ['INBOX', 'Junk']);
        expect(got).toContain('hello through the smtp entry point');
        // Rspamd (mail-system) checked it on the way in.
        expect(got).toMatch(/^X-Rspamd-Queue-Id: /m);
      } finally {
        await dropElsewhere(env, sender).catch(() => undefined);
      }

      // The mailbox's owner submits through the submission entry point (STARTTLS, SASL): Rspamd signs
      // with the domain's DKIM key (the Secret the panel wrote in mail-system), and the signature
      // verifies against the key the DNS entry point serves.
      const signed = await waitFor(
        `a DKIM-signed message in ${mailbox.address}'s INBOX`,
        async () => {
          const subject = `signed ${tag} ${Date.now()}`;
          await swaksAt(env.EDGE_SUBMISSION_ADDR!, [
            ...['--from', mailbox.address, '--to', mailbox.address, '--header', `Subject: ${subject}`],
            ...['--header', `From: <${mailbox.address}>`, '--body', 'signed in the cluster'],
            ...[
              '--tls',
              '--auth',
              'PLAIN',
              '--auth-user',
              mailbox.address,
              '--auth-password',
              mailbox.password,
            ],
          ]);
          const got = await imapMessageAt(imap, mailbox, subject);
          return /^DKIM-Signature:/im.test(got) ? got : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 5_000 },
      );
      const results = await dkimResults(signed, dnsAddr);
      expect(results).toHaveLength(1);
      expect(results[0]?.[0]).toBe(domainName);
      expect(results[0]?.[2]).toBe('pass');
      figures.mailDoneSeconds = (Date.now() - started) / 1000;

      // Deleting the customer removes it everywhere: the API answers 404, its namespace is gone, the DNS
      // entry point no longer answers for its zone, its mailbox no longer logs in, its DKIM Secret is gone.
      const deleted = await api('DELETE', `/customers/${customerId}`);
      expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
      const t0 = Date.now();
      await waitFor(
        `customer ${customerId} gone`,
        async () => (await api('GET', `/customers/${customerId}`)).status === 404,
        { timeoutMs: 300_000, intervalMs: 2_000 },
      );
      await waitFor(
        `namespace cust-${customerId} gone`,
        async () => {
          const r = await run('kubectl', [
            ...['--kubeconfig', env.KUBECONFIG, 'get', 'namespace', `cust-${customerId}`],
            '--ignore-not-found',
            ...['-o', 'name'],
          ]);
          return r.stdout.trim() === '';
        },
        { timeoutMs: 300_000, intervalMs: 2_000 },
      );
      await waitFor(
        `${domainName} gone from the DNS entry point`,
        async () =>
          (await digAt(dnsAddr, host, 'A')) === '' && (await digAt(dnsAddr, domainName, 'MX')) === '',
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );
      await expect(imapAt(imap, mailbox, '/', ['-X', 'NOOP'])).rejects.toThrow();
      const dkimSecrets = await run('kubectl', [
        ...['--kubeconfig', env.KUBECONFIG, '-n', 'mail-system', 'get', 'secrets'],
        ...['-l', `hostplane.io/dkim-domain=${domainName}`, '-o', 'name'],
      ]);
      expect(dkimSecrets.stdout.trim()).toBe('');
      figures.deleteSeconds = (Date.now() - t0) / 1000;
      process.stdout.write(`install mail figures: ${JSON.stringify(figures)}\n`);
    },
    SLOW,
  );
});
