// The whole panel in-process against the local stack, wired the way `hostplane serve` wires it:
// buildApp + startWorker with assembleTargets from the stack's environment, on a fresh database.
// Customer ids start far from other suites' (the apiserver, PowerDNS and the mail DB are shared).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poolOf } from '@hostplane/db';
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { type PlatformConfig, parsePlatformConfig } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv, repoRoot, type StackEnv, stackStateDir, waitFor } from '@hostplane/testing';
import { type RunningWorker, startWorker } from '@hostplane/worker';
import { sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { bearer, startTestApi, type TestApi } from '../../apps/api/src/testing/harness.ts';
import { parseServeEnv } from '../../apps/cli/src/commands/serve.ts';
import {
  assembleTargets,
  changeFeedsOf,
  databaseDumpsOf,
  tenantReadsOf,
} from '../../apps/cli/src/commands/serve-assemble.ts';
import { edgeCertificatesOf } from '../../apps/cli/src/commands/serve-edge-certificates.ts';
import { siteLogsOf } from '../../apps/cli/src/commands/serve-site-logs.ts';
import { domainVerifierOf } from '../../apps/cli/src/commands/serve-targets.ts';
import { migrateMailDb } from '../../packages/provisioner-mail/src/schema/index.ts';

export const stack: StackEnv = loadStackEnv();
/** Unique per run: zones, mail domains and PVs of parallel runs never meet. */
export const runTag = `e${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

/** The platform config of these tests: the local PowerDNS answers 127.0.0.1; volumes from the stack's
 * provisioner (StorageClass hostplane-local), nothing pre-bound by hand. */
export const platformInput = {
  storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
  publicAddresses: { ipv4: ['127.0.0.1'] },
  kubernetes: { namespaceStuckAfterSeconds: 300 },
};

/** The variables `hostplane stack env` prints, plus the panel database and the platform config file. */
export function serveVariables(databaseUrl: string, platformFile: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KUBECONFIG: stack.KUBECONFIG,
    PDNS_API_URL: stack.PDNS_API_URL,
    PDNS_API_KEY: stack.PDNS_API_KEY,
    PDNS_DNS_ADDR: stack.PDNS_DNS_ADDR,
    // The local internet's resolver: host checks and ownership checks follow delegation from the root.
    ...(stack.DNS_RESOLVER_ADDR ? { DNS_RESOLVER_ADDR: stack.DNS_RESOLVER_ADDR } : {}),
    MAIL_DATABASE_URL: stack.MAIL_DATABASE_URL,
    HOSTPLANE_STACK_DIR: stackStateDir(),
    PLATFORM_CONFIG: platformFile,
  };
}

export interface Panel {
  api: TestApi;
  admin: KubeHttpClient;
  platform: PlatformConfig;
  databaseUrl: string;
  platformFile: string;
  /** Starts the reconcile worker in this process (stopped by close()). */
  /** resyncMinutes: default 10; a test proving the watch sets it far longer than its own wait. */
  /** env: more serve variables for this worker's targets (e.g. EDGE_TLS_ADDR: ACME attempts spaced). */
  startWorker(options?: { resyncMinutes?: number; env?: Record<string, string> }): Promise<RunningWorker>;
  /** `hostplane serve --worker-only` as a child process, for hard stops. */
  spawnServeWorker(): ChildProcess;
  /** An API call as a client makes it; the answer's shape is what the test's assertions check. */
  http(
    method: string,
    path: string,
    payload?: object,
    token?: string,
    // biome-ignore lint/suspicious/noExplicitAny: answers are JSON read by the assertions that check them
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Namespaces the panel needs that bootstrap would make (the targets never create them). */
async function ensureSystemNamespaces(admin: KubeHttpClient): Promise<void> {
  for (const name of ['mail-system', 'backup-system']) {
    if (!(await admin.get(KINDS.Namespace, null, name)))
      await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: {} } });
  }
}

/** `input`: another platform config than these tests' default. */
export async function startPanel(firstCustomerId: number, input: object = platformInput): Promise<Panel> {
  const platform = parsePlatformConfig(input);
  const platformFile = join(tmpdir(), `hostplane-e2e-${runTag}.json`);
  writeFileSync(platformFile, JSON.stringify(input));
  const api = await startTestApi({}, undefined, platform, {
    databaseDumps: databaseDumpsOf({ kubeconfig: stack.KUBECONFIG }),
    tenantReads: tenantReadsOf({ kubeconfig: stack.KUBECONFIG }),
    // The local edge is a host process writing its JSON access log into the stack's state dir.
    siteLogs: siteLogsOf(
      { kubeconfig: stack.KUBECONFIG },
      { edgeAccessLog: join(stackStateDir(), 'traefik', 'access.log') },
    ),
    // Per-host certificates: the stack's edge at HTTPS_ADDR, trusted through Pebble's root.
    edgeCertificates: stack.HTTPS_ADDR
      ? edgeCertificatesOf({
          address: stack.HTTPS_ADDR,
          ...(stack.ACME_ROOT_CA ? { caFile: stack.ACME_ROOT_CA } : {}),
        })
      : null,
  });
  await sql`alter table customers alter column id restart with ${sql.lit(firstCustomerId)}`.execute(api.db);
  const databaseUrl = (poolOf(api.db) as unknown as { options: { connectionString: string } }).options
    .connectionString;
  const admin = KubeHttpClient.fromKubeconfigFile(stack.KUBECONFIG);
  await ensureSystemNamespaces(admin);
  await migrateMailDb(stack.MAIL_DATABASE_URL);
  const workers: RunningWorker[] = [];
  const children: ChildProcess[] = [];
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const env = parseServeEnv(serveVariables(databaseUrl, platformFile));
  return {
    api,
    admin,
    platform,
    databaseUrl,
    platformFile,
    async startWorker(options = {}) {
      const worker = await startWorker({
        // Its own pool: the API harness's pool is small, and the worker holds connections per job.
        connectionString: databaseUrl,
        db: api.db,
        targets: assembleTargets(
          options.env ? parseServeEnv({ ...serveVariables(databaseUrl, platformFile), ...options.env }) : env,
          logger,
          api.db,
          platform,
        ),
        changeFeeds: changeFeedsOf(env),
        logger,
        registry: new Registry(),
        concurrency: 2,
        resyncMinutes: options.resyncMinutes ?? 10,
        pollIntervalMs: 200,
        requeueDelayMs: 1_000,
        lockGraceMs: 2_000,
        lockSweepMs: 1_000,
        domainVerifier: domainVerifierOf(env.DNS_RESOLVER_ADDR, platform),
      });
      workers.push(worker);
      return worker;
    },
    spawnServeWorker() {
      const child = spawn(
        process.execPath,
        [join(repoRoot, 'apps/cli/bin/hostplane.js'), 'serve', '--worker-only'],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            ...serveVariables(databaseUrl, platformFile),
            PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
            METRICS_PORT: String(40_000 + Math.floor(Math.random() * 20_000)),
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      return child;
    },
    async http(method, path, payload, token) {
      const res = await api.app.inject({
        method: method as 'GET',
        url: `/api/v1${path}`,
        headers: bearer(token ?? api.adminToken),
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    },
    async close() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      for (const worker of workers) await worker.stop().catch(() => undefined);
      await admin.close();
      await api.close();
    },
  };
}

/**
 * How long a deleted customer's namespace may take to go: the apiserver's namespace controller is
 * shared, and a benchmark deleting a thousand namespaces on the same stack queues ours behind them.
 */
export const NAMESPACE_GONE_MS = 540_000;

export const newPassword = () => `pw-${randomBytes(9).toString('base64url')}`;

/** The limits of most tests' plans; a test names only the ones it needs otherwise. */
export const TEST_PLAN_LIMITS = {
  cpu: '2',
  memory: '4Gi',
  storage: '10Gi',
  sites: 2,
  domains: 2,
  mailboxes: 1,
  mailboxQuota: '1Gi',
  databases: 1,
  backupRetentionDays: 3,
};

/** A plan `<label>-<runTag>` made through the API (anything but 201 throws): its id and limits as answered. */
export async function createPlan(
  panel: Pick<Panel, 'http'>,
  label: string,
  limits: Partial<typeof TEST_PLAN_LIMITS> & { backupsPerDay?: number } = {},
): Promise<{ id: number; limits: Record<string, unknown> }> {
  const res = await panel.http('POST', '/plans', {
    name: `${label}-${runTag}`,
    limits: { ...TEST_PLAN_LIMITS, ...limits },
  });
  if (res.status !== 201) throw new Error(`POST /plans: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, limits: res.body.limits };
}

/** A customer on the plan through the API, with a fresh password (anything but 201 throws): its id. */
export async function createCustomer(
  panel: Pick<Panel, 'http'>,
  planId: number,
  name: string,
  email: string,
): Promise<number> {
  const res = await panel.http('POST', '/customers', { name, email, planId, password: newPassword() });
  if (res.status !== 201) throw new Error(`POST /customers: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Marks a customer's domain verified by hand, as an admin would (audited): for tests whose subject
 * is not the ownership check itself.
 */
export async function markVerified(panel: Panel, customerId: number, domain: string): Promise<void> {
  const res = await panel.http('POST', `/customers/${customerId}/domains/${domain}/verify`, {
    method: 'admin',
  });
  if (res.status !== 200)
    throw new Error(`admin verify of ${domain}: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface DomainVerification {
  state: string;
  method: string | null;
  token: string;
  checkedAt: string | null;
  message: string;
}

/** Asks for an ownership check (202) and waits until the worker stored one made after the request. */
export async function checkDomainNow(
  panel: Panel,
  customerId: number,
  domain: string,
): Promise<DomainVerification> {
  const since = Date.now();
  const asked = await panel.http('POST', `/customers/${customerId}/domains/${domain}/verify`);
  if (asked.status !== 202)
    throw new Error(`verify ${domain}: ${asked.status} ${JSON.stringify(asked.body)}`);
  return waitFor(
    `a check of ${domain}`,
    async () => {
      const res = await panel.http('GET', `/customers/${customerId}/domains/${domain}`);
      const v = res.body.verification as DomainVerification;
      return v.checkedAt && Date.parse(v.checkedAt) >= since - 1_000 ? v : undefined;
    },
    60_000,
  );
}

/**
 * Checks again until the domain is in `state` (and the message matches): a resolver may hold an
 * earlier answer for its cache TTL, or throttle a server it saw down, as on the internet.
 */
export async function checkDomainUntil(
  panel: Panel,
  customerId: number,
  domain: string,
  state: string,
  message?: RegExp,
  timeoutMs = 180_000,
): Promise<DomainVerification> {
  return waitFor(
    `${domain} ${state}`,
    async () => {
      const v = await checkDomainNow(panel, customerId, domain);
      if (v.state !== state || (message && !message.test(v.message))) throw new Error(JSON.stringify(v));
      return v;
    },
    timeoutMs,
  );
}
