// `hostplane serve [--api-only | --worker-only]`: the composition root of the panel. Reads the
// environment once (zod), applies migrations, runs the API and the reconcile worker in one process
// sharing one database pool and one metrics registry, and shuts both down gracefully on a signal.
import { isIP } from 'node:net';
import type { PanelDatabase } from '@hostplane/db';
import type { PlatformConfig } from '@hostplane/platform';
import { registerQueueDepthGauge } from '@hostplane/reconcile';
import type { RunningWorker } from '@hostplane/worker';
import type { Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import {
  domainVerifierOf,
  kubernetesAccess,
  loadPlatformConfig,
  requirePlatformConfigInCluster,
  ServeConfigError,
} from './serve-targets.ts';

const flag = () =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1');
const url = (protocols: string[]) =>
  z
    .string({ message: 'is required' })
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a ${protocols.join(' or ')} URL`,
    });
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
    .default(fallback);

/** The environment `hostplane serve` reads (the variables `hostplane stack env` prints, and a few knobs). */
export const serveEnvSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  PORT: wholeNumber(1, 65_535, 8080),
  /** 127.0.0.1 by default; 0.0.0.0 in a pod. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RESYNC_MINUTES: wholeNumber(1, 1_440, 10),
  WORKER_CONCURRENCY: wholeNumber(1, 64, 4),
  /** API: Secure session cookie (turn off only for plain-HTTP development). */
  SESSION_COOKIE_SECURE: flag().default(true),
  /**
   * API: whose X-Forwarded-For to believe. `false` (default: none), a number of proxy hops in front
   * of the API (the web panel's proxy counts one, Traefik one), or a comma-separated list of the
   * proxies' addresses/CIDRs. `true` (trust anyone) is refused: any client could then pick its address.
   */
  TRUST_PROXY: z
    .string()
    .transform((value, ctx): false | number | string[] => {
      if (value === 'false' || value === '0') return false;
      if (/^\d+$/.test(value) && Number(value) <= 16) return Number(value);
      const parts = value.split(',').map((p) => p.trim());
      if (parts.every((p) => isIP(p.split('/')[0] ?? '') !== 0 && /^[^/]+(\/\d{1,3})?$/.test(p)))
        return parts;
      ctx.addIssue({
        code: 'custom',
        message: 'must be false, a number of proxy hops (1-16) or comma-separated proxy addresses/CIDRs',
      });
      return z.NEVER;
    })
    .default(false),
  /** The internal listener: /metrics and the detailed /readyz (never on PORT). */
  METRICS_PORT: wholeNumber(1, 65_535, 9090),
  /** Address of the internal listener; HOST when unset. */
  METRICS_HOST: z.string().min(1).optional(),
  /** API and worker: seals TOTP seeds and site database passwords at rest (the worker opens them). */
  SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  // For the targets that come with their own issues (Kubernetes, DNS, mail).
  KUBECONFIG: z.string().min(1).optional(),
  /** Set by the kubelet in every pod: without KUBECONFIG, the pod's service account is used. */
  KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
  PDNS_API_URL: url(['http:', 'https:']).optional(),
  PDNS_API_KEY: z.string().min(1).optional(),
  MAIL_DATABASE_URL: url(['mysql:', 'mariadb:']).optional(),
  /** The edge's JSON access log file (Traefik accessLog.filePath): site logs add its lines for the site's hosts. */
  EDGE_ACCESS_LOG: z.string().min(1).optional(),
  /** The edge's websecure address (host:port): each site's per-host certificate status is read there. */
  EDGE_TLS_ADDR: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port')
    .optional(),
  /** PEM roots of the ACME CA the edge's certificates chain to (default: the system's roots). */
  EDGE_TLS_CA_FILE: z.string().min(1).optional(),
  /** Dovecot's doveadm HTTP API: mailbox usage in the API's lists (issue 17). */
  DOVEADM_API_URL: url(['http:', 'https:']).optional(),
  DOVEADM_API_KEY: z.string().min(16).optional(),
  /**
   * Mailboxes in customer backups: with DOVEADM_API_URL/KEY and these, the Backup target exports each
   * customer's mailboxes to this S3 bucket when a backup is taken and imports them on restore
   * (docs/backups.md). Unset: customer backups hold no mail.
   */
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  /** Key prefix of the mail exports in S3_BUCKET (default `customer-mail`). */
  CUSTOMER_MAIL_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/)
    .optional(),
  /** `off` when the install has no backup-system (bootstrap.steps without `backup`): no Backup target,
   * which would otherwise fail on Velero's objects and hold every customer's deletion. */
  BACKUPS: z.enum(['on', 'off']).default('on'),
  /** Key prefix of the DNS zone exports of customer backups in S3_BUCKET (default `customer-dns`). */
  CUSTOMER_DNS_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/)
    .optional(),
  /** Mail: authoritative DNS (host:port) asked before a rotated DKIM selector signs. */
  PDNS_DNS_ADDR: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  /** Mail, local stack only: its state folder, where Rspamd's DKIM keys, send limits and maildirs live. */
  HOSTPLANE_STACK_DIR: z.string().min(1).optional(),
  /** Platform config file (YAML or JSON, the tenant part of `bootstrap --config`); local defaults when unset. */
  PLATFORM_CONFIG: z.string().min(1).optional(),
  /**
   * Kubernetes: DNS server (host:port) asked whether a site's host resolves to the platform before
   * TLS is requested. Falls back to the platform config's kubernetes.resolverAddress, then PDNS_DNS_ADDR.
   */
  DNS_RESOLVER_ADDR: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
});
export type ServeEnv = z.infer<typeof serveEnvSchema>;

/** Parses the environment; the error names every missing or malformed variable. */
export function parseServeEnv(env: NodeJS.ProcessEnv): ServeEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = serveEnvSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ServeConfigError(`invalid environment:\n${problems.join('\n')}`);
}

export { ServeConfigError };

export type ServeMode = 'all' | 'api' | 'worker';

interface Running {
  close(): Promise<void>;
  done: Promise<void>;
}

async function startApi(
  env: ServeEnv,
  platform: PlatformConfig,
  db: Kysely<PanelDatabase>,
  logger: Logger,
  registry: Registry,
): Promise<Running> {
  const { API_PREFIX, buildApp, DoveadmHttpUsage } = await import('@hostplane/api');
  const { databaseDumpsOf, tenantReadsOf } = await import('./serve-assemble.ts');
  const { siteLogsOf } = await import('./serve-site-logs.ts');
  const { edgeCertificatesOf } = await import('./serve-edge-certificates.ts');
  const kube = kubernetesAccess(env);
  const app = await buildApp({
    db,
    databaseDumps: kube ? databaseDumpsOf(kube) : null,
    tenantReads: kube ? tenantReadsOf(kube) : null,
    siteLogs: kube
      ? siteLogsOf(kube, env.EDGE_ACCESS_LOG ? { edgeAccessLog: env.EDGE_ACCESS_LOG } : {})
      : null,
    edgeCertificates: env.EDGE_TLS_ADDR
      ? edgeCertificatesOf({
          address: env.EDGE_TLS_ADDR,
          ...(env.EDGE_TLS_CA_FILE ? { caFile: env.EDGE_TLS_CA_FILE } : {}),
        })
      : null,
    mailUsage:
      env.DOVEADM_API_URL && env.DOVEADM_API_KEY
        ? new DoveadmHttpUsage({ url: env.DOVEADM_API_URL, apiKey: env.DOVEADM_API_KEY })
        : null,
    logger: logger.child({ component: 'api' }),
    metricsRegistry: registry,
    platform,
    config: {
      logLevel: env.LOG_LEVEL,
      cookieSecure: env.SESSION_COOKIE_SECURE,
      trustProxy: env.TRUST_PROXY,
      secretKey: env.SECRET_KEY,
    },
  });
  await app.listen({ port: env.PORT, host: env.HOST });
  const base = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`;
  process.stdout.write(`API:     ${base}${API_PREFIX}\nOpenAPI: ${base}${API_PREFIX}/openapi.json\n`);
  return { close: () => app.close(), done: new Promise(() => {}) };
}

/** The internal listener (METRICS_PORT): probes and scrapes, in every mode, never on PORT. */
async function startInternalServer(
  env: ServeEnv,
  db: Kysely<PanelDatabase>,
  registry: Registry,
): Promise<Running> {
  const { createInternalServer, listenInternal } = await import('@hostplane/api');
  const server = createInternalServer({ db, registry });
  const host = env.METRICS_HOST ?? env.HOST;
  await listenInternal(server, env.METRICS_PORT, host);
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${env.METRICS_PORT}`;
  process.stdout.write(`Internal: ${base}/healthz, /readyz, /metrics\n`);
  return {
    close: () => new Promise((resolve) => server.close(() => resolve())),
    done: new Promise(() => {}),
  };
}

async function startWorkerPart(
  env: ServeEnv,
  platform: PlatformConfig,
  db: Kysely<PanelDatabase>,
  logger: Logger,
  registry: Registry,
): Promise<Running> {
  // The targets (and the Kubernetes, MySQL and PowerDNS clients under them) load only here: an
  // API-only process never carries them (the Kubernetes client alone is some 75 MiB resident).
  const [{ startWorker }, { poolOf }, { assembleTargets, changeFeedsOf }, { startVolumeSweep }] =
    await Promise.all([
      import('@hostplane/worker'),
      import('@hostplane/db'),
      import('./serve-assemble.ts'),
      import('@hostplane/provisioner-k8s'),
    ]);
  const worker: RunningWorker = await startWorker({
    pgPool: poolOf(db),
    db,
    targets: assembleTargets(env, logger, db, platform),
    changeFeeds: changeFeedsOf(env),
    logger,
    registry,
    concurrency: env.WORKER_CONCURRENCY,
    resyncMinutes: env.RESYNC_MINUTES,
    secretKey: env.SECRET_KEY,
    domainVerifier: domainVerifierOf(env.DNS_RESOLVER_ADDR, platform),
  });
  // Released tenant volumes are kept storage.releasedVolumeRetentionDays, then reclaimed.
  const kube = kubernetesAccess(env);
  const sweep = kube
    ? startVolumeSweep({
        ...kube,
        retentionDays: platform.storage.releasedVolumeRetentionDays,
        log: logger.child({ component: 'volume-sweep' }),
      })
    : null;
  return {
    close: async () => {
      await sweep?.stop();
      await worker.stop();
    },
    done: worker.done,
  };
}

/** Resolves with the first signal received; a second one exits at once. */
function nextSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      logger.info({ signal }, 'shutting down (a second signal exits at once)');
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

export async function run(mode: ServeMode): Promise<number> {
  let env: ServeEnv;
  let platform: PlatformConfig;
  try {
    env = parseServeEnv(process.env);
    platform = loadPlatformConfig(requirePlatformConfigInCluster(env), process.env.WEBMAIL_URL);
  } catch (err) {
    process.stderr.write(`hostplane serve: ${(err as Error).message}\n`);
    return 2;
  }
  const { logRedaction } = await import('@hostplane/api');
  const logger = pino({
    level: env.LOG_LEVEL,
    base: { service: 'hostplane' },
    ...logRedaction,
  });
  const { createPanelDb, migratePanelDb, sealStoredDkimKeys } = await import('@hostplane/db');
  const db = createPanelDb(env.DATABASE_URL, { max: env.WORKER_CONCURRENCY + 8 });
  const parts: Running[] = [];
  // Listen for SIGTERM before anything starts: a signal during start-up (an orchestrator stopping a
  // pod that is still booting) then shuts down cleanly instead of killing the process mid-migration.
  const signalled = nextSignal(logger);
  try {
    await migratePanelDb(db);
    logger.info('panel database migrated');
    // DKIM private keys stored in clear by earlier releases are sealed now that the key is known.
    if (env.SECRET_KEY) {
      const sealed = await sealStoredDkimKeys(db, env.SECRET_KEY);
      if (sealed > 0) logger.info({ sealed }, 'DKIM private keys sealed at rest');
    }
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    registerQueueDepthGauge(registry, db);
    parts.push(await startInternalServer(env, db, registry));
    if (mode !== 'worker') parts.push(await startApi(env, platform, db, logger, registry));
    if (mode !== 'api') parts.push(await startWorkerPart(env, platform, db, logger, registry));
    logger.info({ mode }, 'hostplane serve running');
    const failed = Promise.race(parts.map((p) => p.done)).then(
      () => 1,
      (err: Error) => {
        logger.fatal({ err }, 'a part of hostplane serve failed');
        return 1;
      },
    );
    const code = await Promise.race([signalled.then(() => 0), failed]);
    await shutDown(parts, db, logger);
    return code;
  } catch (err) {
    logger.fatal({ err }, 'hostplane serve could not start');
    await shutDown(parts, db, logger);
    return 1;
  }
}

/** HTTP first (no new mutations), then the worker (in-flight passes finish or are released), then the pool. */
async function shutDown(parts: Running[], db: Kysely<PanelDatabase>, logger: Logger): Promise<void> {
  for (const part of parts) {
    await part.close().catch((err: Error) => logger.error({ err }, 'error while stopping'));
  }
  await db.destroy().catch((err: Error) => logger.error({ err }, 'error while closing the database pool'));
  logger.info('hostplane serve stopped');
}
