// The reconcile targets of `hostplane serve` assembled from the environment. A module of its own so
// that serve.ts loads it (and the provisioners' clients) only when it starts a worker.

import type { DatabaseDumps, TenantReads } from '@hostplane/api';
import {
  backupJobLedger,
  dnsAppliedZonesStore,
  type PanelDatabase,
  saveDomainDnsStatus,
  saveSiteStatuses,
  zoneRowLedger,
} from '@hostplane/db';
import { localMailAdapters } from '@hostplane/localstack/mail-adapters';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { dnsConfigOf, type PlatformConfig } from '@hostplane/platform';
import {
  backupTargetFromSettings,
  type DnsArchive,
  DoveadmMailArchive,
  type MailArchive,
  ZoneArchive,
} from '@hostplane/provisioner-backup';
import {
  createDnsTarget,
  createPowerDnsZones,
  PowerDnsClient,
  PowerDnsZoneKeys,
} from '@hostplane/provisioner-dns';
import {
  KINDS,
  KubeHttpClient,
  kubernetesTargetFromSettings,
  siteWorkloadWatch,
} from '@hostplane/provisioner-k8s';
import { mailTargetFromSettings } from '@hostplane/provisioner-mail';
import {
  createDatabasesTarget,
  dumpDatabase,
  importDatabase,
  MysqlDatabaseServer,
} from '@hostplane/provisioner-mariadb';
import { type ChangeFeed, customerStatusTarget, type Target } from '@hostplane/reconcile';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ServeEnv } from './serve.ts';
import { certificateAttemptsOf } from './serve-certificate-attempts.ts';
import { kubernetesAccess, loadPlatformConfig, ServeConfigError, withDsRecords } from './serve-targets.ts';

/**
 * The reconcile targets, in one list, each built from its own variables: KUBECONFIG → Kubernetes
 * and Backup, PDNS_API_URL + PDNS_API_KEY → DNS, MAIL_DATABASE_URL → Mail. DNS runs before
 * Kubernetes so a new zone answers before the TLS gate asks. Without `db` (tests of the wiring)
 * the status sinks are left out.
 */
export function assembleTargets(
  env: ServeEnv,
  logger: Logger,
  db?: Kysely<PanelDatabase>,
  platform: PlatformConfig = loadPlatformConfig(env.PLATFORM_CONFIG),
): Target[] {
  const targets: Target[] = [customerStatusTarget];
  if (env.PDNS_API_URL && env.PDNS_API_KEY) targets.push(dnsTarget(env, platform, logger, db));
  const kube = kubernetesAccess(env);
  if (kube) {
    const dnsServer = env.DNS_RESOLVER_ADDR ?? platform.kubernetes.resolverAddress ?? env.PDNS_DNS_ADDR;
    if (!dnsServer)
      throw new ServeConfigError(
        'KUBECONFIG is set but no DNS resolver: set DNS_RESOLVER_ADDR or PDNS_DNS_ADDR',
      );
    targets.push(
      kubernetesTargetFromSettings({
        ...kube,
        dnsServer,
        config: platform,
        namespaceStuckAfterMs: platform.kubernetes.namespaceStuckAfterSeconds * 1000,
        ...(db ? { siteStatus: (id, generation, sites) => saveSiteStatuses(db, id, generation, sites) } : {}),
        ...(db && env.EDGE_TLS_ADDR ? { certificates: certificateAttemptsOf(env, db, platform) } : {}),
      }),
    );
  }
  if (kube) targets.push(databasesTarget(kube));
  if (kube && db && env.BACKUPS !== 'off') {
    // Velero objects in backup-system; progress goes back onto the backups/restores rows.
    targets.push(
      backupTargetFromSettings({
        ...kube,
        ledger: backupJobLedger(db),
        mail: mailArchiveOf(env),
        dns: dnsArchiveOf(env, db),
      }),
    );
  }
  if (env.MAIL_DATABASE_URL) {
    const { target } = mailTargetFromSettings({
      mailDatabaseUrl: env.MAIL_DATABASE_URL,
      kubeconfig: env.KUBECONFIG,
      inCluster: kube !== undefined && !kube.kubeconfig,
      dnsServer: env.PDNS_DNS_ADDR,
      local: env.HOSTPLANE_STACK_DIR ? localMailAdapters(env.HOSTPLANE_STACK_DIR) : undefined,
      maildirRemovalImage: platform.images.maildirRemover,
      secretKey: env.SECRET_KEY,
    });
    targets.push(target);
  }
  return targets;
}

/**
 * The worker's watches: with Kubernetes access, the sites' Deployments and pods (a pod that turns
 * unready, crash-loops or is OOMKilled shows in the site's status at once, not at the resync).
 */
export function changeFeedsOf(env: Pick<ServeEnv, 'KUBECONFIG' | 'KUBERNETES_SERVICE_HOST'>): ChangeFeed[] {
  const kube = kubernetesAccess(env);
  return kube ? [siteWorkloadWatch(kube)] : [];
}

/** PowerDNS zones of the platform config's DNS policy; DS records of signed zones go onto the domain rows. */
function dnsTarget(
  env: ServeEnv,
  platform: PlatformConfig,
  logger: Logger,
  db?: Kysely<PanelDatabase>,
): Target {
  const zones = createPowerDnsZones(
    { apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY },
    logger.child({ component: 'dns' }),
  );
  // With the panel's database, a change pass reads only the zones whose desired state moved.
  const target = createDnsTarget({
    zones,
    config: dnsConfigOf(platform),
    ...(db ? { applied: dnsAppliedZonesStore(db) } : {}),
  });
  return db ? withDsRecords(target, zones, (id, statuses) => saveDomainDnsStatus(db, id, statuses)) : target;
}

/**
 * Databases inside each customer's MariaDB. The worker reaches a server at its Service's ClusterIP,
 * read from the apiserver (the same address inside the cluster and on the local stack's host).
 */
/** A client from the kubeconfig file, or the pod's service account inside the cluster. */
function kubeClientOf(access: { kubeconfig?: string }): KubeHttpClient {
  return access.kubeconfig
    ? KubeHttpClient.fromKubeconfigFile(access.kubeconfig)
    : KubeHttpClient.inCluster();
}

function serverAddressOf(access: { kubeconfig?: string }) {
  const kube = kubeClientOf(access);
  return async (customerId: number) => {
    const service = await kube.get(KINDS.Service, `cust-${customerId}`, 'mariadb');
    const ip = service?.spec?.clusterIP;
    return typeof ip === 'string' && ip !== 'None' ? { host: ip, port: 3306 } : null;
  };
}

function databasesTarget(access: { kubeconfig?: string }): Target {
  return createDatabasesTarget({
    addressOf: serverAddressOf(access),
    connect: (address, rootPassword) => MysqlDatabaseServer.connect(address, rootPassword),
  });
}

/** The API's export/import of customer databases: MariaDB's clients as the database's owner. */
export function databaseDumpsOf(access: { kubeconfig?: string }): DatabaseDumps {
  const addressOf = serverAddressOf(access);
  const address = async (customerId: number) => {
    const found = await addressOf(customerId);
    if (!found) throw new Error(`customer ${customerId} has no database server address yet`);
    return found;
  };
  return {
    async dump(login) {
      return dumpDatabase({ ...(await address(login.customerId)), ...login });
    },
    async import(login, sql) {
      return importDatabase({ ...(await address(login.customerId)), ...login }, sql);
    },
  };
}

type Live = Record<string, unknown> & { metadata: { name: string; creationTimestamp?: string } };

/** Runs of a site's cron jobs: its Jobs, their pods' exit codes and log tails (read-only). */
export function tenantReadsOf(access: { kubeconfig?: string }): TenantReads {
  const kube = kubeClientOf(access);
  return {
    async cronRuns(customerId, site, cron, limit) {
      const namespace = `cust-${customerId}`;
      const jobs = (await kube.list(
        KINDS.Job,
        namespace,
        `hostplane.io/site=${site},hostplane.io/cronjob=${cron}`,
      )) as Live[];
      const newest = jobs
        .sort((a, b) =>
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )
        .slice(0, limit);
      return Promise.all(
        newest.map(async (job) => {
          const status = (job.status ?? {}) as {
            startTime?: string;
            completionTime?: string;
            succeeded?: number;
            failed?: number;
          };
          const pods = (await kube.list(
            KINDS.Pod,
            namespace,
            `batch.kubernetes.io/job-name=${job.metadata.name}`,
          )) as Live[];
          const pod = pods.sort((a, b) =>
            String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
          )[0];
          const container = ((
            pod?.status as {
              containerStatuses?: { state?: { terminated?: { exitCode?: number; finishedAt?: string } } }[];
            }
          )?.containerStatuses ?? [])[0];
          const terminated = container?.state?.terminated;
          const logTail = pod
            ? await kube
                .podLog(namespace, pod.metadata.name, { container: 'job', tailLines: 20 })
                .catch(() => '')
            : '';
          const state: 'Running' | 'Succeeded' | 'Failed' = status.succeeded
            ? 'Succeeded'
            : status.failed
              ? 'Failed'
              : 'Running';
          return {
            job: job.metadata.name,
            state,
            startedAt: status.startTime ?? null,
            finishedAt: status.completionTime ?? terminated?.finishedAt ?? null,
            exitCode: terminated?.exitCode ?? null,
            logTail: logTail.slice(-4000),
          };
        }),
      );
    },
  };
}

function backupStoreOf(env: ServeEnv): S3ObjectStore {
  return new S3ObjectStore(
    objectStoreSettingsFromEnv({
      S3_ENDPOINT: env.S3_ENDPOINT,
      S3_REGION: env.S3_REGION,
      S3_ACCESS_KEY: env.S3_ACCESS_KEY,
      S3_SECRET_KEY: env.S3_SECRET_KEY,
      S3_BUCKET: env.S3_BUCKET,
    }),
  );
}

/** Mailboxes in customer backups: doveadm's HTTP API and the S3 bucket, when both are configured. */
function mailArchiveOf(env: ServeEnv): MailArchive | null {
  if (!env.DOVEADM_API_URL || !env.DOVEADM_API_KEY || !env.S3_BUCKET) return null;
  return new DoveadmMailArchive({
    url: env.DOVEADM_API_URL,
    apiKey: env.DOVEADM_API_KEY,
    store: backupStoreOf(env),
    prefix: env.CUSTOMER_MAIL_PREFIX ?? 'customer-mail',
  });
}

/** Zones in customer backups: the panel's rows, PowerDNS's keys and the S3 bucket, when all are configured. */
function dnsArchiveOf(env: ServeEnv, db: Kysely<PanelDatabase>): DnsArchive | null {
  if (!env.PDNS_API_URL || !env.PDNS_API_KEY || !env.S3_BUCKET) return null;
  return new ZoneArchive({
    store: backupStoreOf(env),
    keys: new PowerDnsZoneKeys(new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY })),
    rows: zoneRowLedger(db),
    prefix: env.CUSTOMER_DNS_PREFIX ?? 'customer-dns',
  });
}
