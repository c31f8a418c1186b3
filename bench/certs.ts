// npm run bench:certs — time from a site's POST to a valid certificate served, on the in-cluster edge
// (HOSTPLANE_STACK_NODE=real, inside the stack's network namespace). The platform as
// `hostplane bootstrap --local --apply` installs it on the real node (installed here when PANEL_URL is
// absent, and uninstalled again at the end; kept when it was there before): Traefik as a pod with its
// ACME resolver against the stack's Pebble, and the in-cluster panel (API + worker) reached through
// that edge. BENCH_SITES (default 10) static sites on one verified, delegated domain are created
// through the in-cluster API one after the other; each is timed from its POST to the first TLS
// handshake at HTTPS_ADDR with SNI = its host that verifies against ACME_ROOT_CA (Pebble's root) and
// names the host, and to the first 200 of its page over that connection. Prints p50/p99 and per-site
// figures. The customer is deleted afterwards.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { delegateDomain, loadStackEnv, repoRoot, type StackEnv, waitFor } from '@hostplane/testing';

const run = promisify(execFile);
const SITES = Number(process.env.BENCH_SITES ?? 10);
const tag = Date.now().toString(36);
const MODE = process.env.BENCH_PANEL === 'in-process' ? 'in-process' : 'in-cluster';
const cliBin = path.join(repoRoot, 'apps', 'cli', 'bin', 'hostplane.js');

function hostplane(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
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
    child.stdin.end(input);
  });
}

/** The CLI inside the in-cluster panel's image. */
async function inPanel(kubeconfig: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
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
    child.stdin.end(input);
  });
}

interface Edge {
  address: string;
  port: number;
  ca: string;
}

/**
 * One HTTPS request to the edge with SNI = host, trusting only the ACME root (Node verifies the chain
 * and that the leaf names the host): `tls` once the handshake verified, `status` the page's answer.
 */
function fetchVerified(
  edge: Edge,
  host: string,
  urlPath: string,
  extra: { method?: string; token?: string; body?: string } = {},
): Promise<{ tls: boolean; status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    let verified = false;
    const req = https.request(
      {
        host: edge.address,
        port: edge.port,
        servername: host,
        path: urlPath,
        method: extra.method ?? 'GET',
        ca: edge.ca,
        agent: false,
        timeout: 5_000,
        headers: {
          host,
          ...(extra.token ? { authorization: `Bearer ${extra.token}` } : {}),
          ...(extra.body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ tls: true, status: res.statusCode ?? 0, body }));
      },
    );
    req.on('socket', (socket) => socket.once('secureConnect', () => (verified = true)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ tls: verified, status: 0, body: '', error: error.message }));
    req.end(extra.body);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: API answers, read where they are checked
type Answer = { status: number; body: any };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The in-cluster panel (API + worker from `bootstrap --local`), reached through the edge. */
async function inClusterPanel(stack: StackEnv, edge: Edge): Promise<Panel> {
  const panelUrl = new URL(stack.PANEL_URL ?? '');
  const email = `bench-certs-${tag}@example.com`;
  await inPanel(
    stack.KUBECONFIG,
    ['admin', 'create', '--email', email, '--password-stdin'],
    `pw-${tag}-${Date.now()}`,
  );
  const token =
    (await inPanel(stack.KUBECONFIG, ['token', 'create', '--email', email, '--name', `bench-certs-${tag}`]))
      .trim()
      .split('\n')
      .at(-1) ?? '';
  const api = async (method: string, apiPath: string, body?: object): Promise<Answer> => {
    const res = await fetchVerified(edge, panelUrl.hostname, `/api/v1${apiPath}`, {
      method,
      token,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.error) throw new Error(`${method} ${apiPath}: ${res.error}`);
    return { status: res.status, body: res.body ? JSON.parse(res.body) : null };
  };
  return {
    api,
    close: async () => {},
    panelKind: 'the in-cluster panel (API + worker pods), through the edge',
  };
}

/**
 * BENCH_PANEL=in-process: the panel's API and worker in this process (as bench:sites) against the same
 * in-cluster edge: for a node too loaded to start the panel's pods (their CPU share is their 50m request).
 */
async function inProcessPanel(): Promise<Panel> {
  const { startPanel } = await import('../tests/support/panel.ts');
  const { LOCAL_STORAGE_CLASS } = await import('@hostplane/localstack');
  const panel = await startPanel(820_000 + (process.pid % 10_000) * 10, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '100Mi' },
    publicAddresses: { ipv4: ['127.0.0.1'] },
  });
  await panel.startWorker();
  return {
    api: (method, apiPath, body) => panel.http(method, apiPath, body),
    close: () => panel.close(),
    panelKind: 'an in-process panel (API + worker in the bench process) on the in-cluster edge',
  };
}

interface Panel {
  api(method: string, apiPath: string, body?: object): Promise<Answer>;
  close(): Promise<void>;
  panelKind: string;
}

async function main(): Promise<void> {
  let stack = loadStackEnv();
  let installedHere = false;
  let bootstrapSeconds: number | null = null;
  if (!stack.PANEL_URL) {
    const started = Date.now();
    const installed = await hostplane([
      'bootstrap',
      '--local',
      '--apply',
      '--timeout',
      '900',
      '--output',
      'json',
    ]);
    if (installed.code !== 0) throw new Error(`bootstrap --local --apply: ${installed.stderr}`);
    bootstrapSeconds = (Date.now() - started) / 1000;
    installedHere = true;
    stack = loadStackEnv();
  }
  const [address = '127.0.0.1', port = '443'] = (stack.HTTPS_ADDR ?? '').split(':');
  const edge: Edge = { address, port: Number(port), ca: readFileSync(stack.ACME_ROOT_CA ?? '', 'utf8') };
  const { api, close, panelKind } =
    MODE === 'in-process' ? await inProcessPanel() : await inClusterPanel(stack, edge);

  let customerId: number | null = null;
  try {
    const plan = await api('POST', '/plans', {
      name: `bench-certs-${tag}`,
      limits: {
        cpu: '8',
        memory: '8Gi',
        storage: '20Gi',
        sites: SITES,
        domains: 1,
        mailboxes: 0,
        mailboxQuota: '1Gi',
        databases: 0,
        backupRetentionDays: 3,
      },
    });
    if (plan.status !== 201) throw new Error(`POST /plans: ${JSON.stringify(plan.body)}`);
    const customer = await api('POST', '/customers', {
      name: `Bench certs ${tag}`,
      email: `owner-${tag}@example.com`,
      planId: plan.body.id,
    });
    if (customer.status !== 201) throw new Error(`POST /customers: ${JSON.stringify(customer.body)}`);
    const id = customer.body.id as number;
    customerId = id;
    const domain = `certs${tag}.test`;
    const added = await api('POST', `/customers/${id}/domains`, { name: domain, mail: false });
    if (added.status !== 201) throw new Error(`POST domains: ${JSON.stringify(added.body)}`);
    await delegateDomain(stack, domain);
    await waitFor(
      `${domain} verified`,
      async () => {
        const res = await api('GET', `/customers/${id}/domains/${domain}`);
        if (res.body?.verification?.state === 'Verified') return true;
        await api('POST', `/customers/${id}/domains/${domain}/verify`);
        return undefined;
      },
      { timeoutMs: 180_000, intervalMs: 3_000 },
    );

    // The platform's zone has A records at apex and www only: each site host gets its A record (the
    // edge's address) first, untimed, and the resolver the worker asks must answer it before the clock starts.
    const hosts = Array.from({ length: SITES }, (_, i) => `s${i}.${domain}`);
    for (const host of hosts) {
      const rec = await api('POST', `/customers/${id}/domains/${domain}/records`, {
        name: host,
        type: 'A',
        ttl: 60,
        records: [address],
      });
      if (rec.status !== 201) throw new Error(`POST record ${host}: ${JSON.stringify(rec.body)}`);
    }
    const [resolverHost = '127.0.0.1', resolverPort = '53'] = (stack.DNS_RESOLVER_ADDR ?? '').split(':');
    for (const host of hosts)
      await waitFor(
        `${host} resolving to the edge`,
        async () => {
          const { stdout } = await run('dig', ['+short', `@${resolverHost}`, '-p', resolverPort, host, 'A']);
          return stdout.trim().split('\n').includes(address) ? true : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 2_000 },
      );

    const perSite: { host: string; tlsSeconds: number; pageSeconds: number }[] = [];
    for (let i = 0; i < SITES; i++) {
      const host = hosts[i] ?? '';
      const posted = Date.now();
      const res = await api('POST', `/customers/${id}/sites`, {
        name: `s${i}`,
        template: 'static',
        domains: [host],
      });
      if (res.status !== 201) throw new Error(`POST site ${host}: ${JSON.stringify(res.body)}`);
      let tlsAt = 0;
      await waitFor(
        `${host}: a verified certificate and its page`,
        async () => {
          const answer = await fetchVerified(edge, host, '/');
          if (answer.tls && tlsAt === 0) tlsAt = Date.now();
          if (answer.status === 200) return true;
          throw new Error(answer.error ?? `HTTP ${answer.status}`);
        },
        { timeoutMs: 600_000, intervalMs: 250 },
      );
      const pageSeconds = (Date.now() - posted) / 1000;
      perSite.push({ host, tlsSeconds: (tlsAt - posted) / 1000, pageSeconds });
      process.stderr.write(`${host}: certificate ${perSite.at(-1)?.tlsSeconds} s, page ${pageSeconds} s\n`);
    }
    const tls = perSite.map((s) => s.tlsSeconds).sort((a, b) => a - b);
    const page = perSite.map((s) => s.pageSeconds).sort((a, b) => a - b);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    process.stdout.write(
      `${JSON.stringify(
        {
          sites: SITES,
          edge: 'in-cluster Traefik (bootstrap --local), ACME HTTP-01 against the stack Pebble',
          panel: panelKind,
          bootstrapSeconds,
          postToVerifiedCertificateSeconds: { p50: percentile(tls, 50), p99: percentile(tls, 99) },
          postToPage200OverVerifiedTlsSeconds: { p50: percentile(page, 50), p99: percentile(page, 99) },
          perSite,
          loadAverage: load,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    if (customerId !== null) await api('DELETE', `/customers/${customerId}`).catch(() => undefined);
    if (MODE === 'in-process')
      await waitFor(
        'the bench customer gone',
        async () => ((await api('GET', `/customers/${customerId}`)).status === 404 ? true : undefined),
        { timeoutMs: 180_000, intervalMs: 2_000 },
      ).catch(() => undefined);
    await close();
    if (installedHere) {
      // Wait for the customer's namespace to go before the panel that deletes it goes.
      await waitFor(
        'the bench customer gone',
        async () => {
          const { stdout } = await run('kubectl', [
            '--kubeconfig',
            stack.KUBECONFIG,
            'get',
            'ns',
            `cust-${customerId}`,
            '--ignore-not-found',
            '-o',
            'name',
          ]);
          return stdout.trim() === '' ? true : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 2_000 },
      ).catch(() => undefined);
      await hostplane(['bootstrap', '--local', '--uninstall', '--timeout', '300', '--output', 'json']);
    }
  }
}

await main();
