// The reconcile targets of `hostplane serve` assembled from the environment. A module of its own so
// that serve.ts loads it (and the provisioners' clients) only when it starts a worker.
import { backupJobLedger, type PanelDatabase, saveDomainDnsStatus, saveSiteStatuses } from '@hostplane/db';
import { dnsConfigOf, type PlatformConfig } from '@hostplane/platform';
import { backupTargetFromSettings } from '@hostplane/provisioner-backup';
import { createDnsTarget, createPowerDnsZones } from '@hostplane/provisioner-dns';
import { kubernetesTargetFromSettings } from '@hostplane/provisioner-k8s';
import { mailTargetFromSettings } from '@hostplane/provisioner-mail';
import { customerStatusTarget, type Target } from '@hostplane/reconcile';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ServeEnv } from './serve.ts';
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
      }),
    );
  }
  if (kube && db) {
    // Velero objects in backup-system; progress goes back onto the backups/restores rows.
    targets.push(backupTargetFromSettings({ ...kube, ledger: backupJobLedger(db) }));
  }
  if (env.MAIL_DATABASE_URL) {
    const { target } = mailTargetFromSettings({
      mailDatabaseUrl: env.MAIL_DATABASE_URL,
      kubeconfig: env.KUBECONFIG,
      inCluster: kube !== undefined && !kube.kubeconfig,
      dnsServer: env.PDNS_DNS_ADDR,
      localStackDir: env.HOSTPLANE_STACK_DIR,
      maildirRemovalImage: platform.images.maildirRemover,
      secretKey: env.SECRET_KEY,
    });
    targets.push(target);
  }
  return targets;
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
  const target = createDnsTarget({ zones, config: dnsConfigOf(platform) });
  return db ? withDsRecords(target, zones, (id, statuses) => saveDomainDnsStatus(db, id, statuses)) : target;
}
