import {
  type CustomerSnapshot,
  desiredTenantObjects,
  type HostResolution,
  type KubeObject,
  retainedDatabaseSites,
  SITE_LABEL,
  siteHosts,
  type TenantPlatformConfig,
  tenantHosts,
  tenantNamespace,
} from '@hostplane/domain';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import { convergeTenant, isManaged } from './apply.ts';
import { type CertificateAttemptsDeps, passCertificateAttempts } from './certificate-attempts.ts';
import { deleteTenant } from './delete.ts';
import { resolvesToPlatform } from './host-resolver.ts';
import { KINDS } from './kinds.ts';
import { kubernetesOutcome } from './outcome.ts';
import { objectKey } from './plan.ts';
import type { HostResolver, KubeApi, LiveObject } from './port.ts';
import { type SiteStatus, type SiteStatusInput, summarizeSites } from './site-status.ts';

/** Where per-site status goes after each pass (the worker stores it on the sites rows for the API). */
export type SiteStatusSink = (customerId: number, generation: number, sites: SiteStatus[]) => Promise<void>;

export interface KubernetesTargetDeps {
  kube: KubeApi;
  config: TenantPlatformConfig;
  resolver: HostResolver;
  /** A namespace Terminating longer than this turns the condition False (default 10 minutes). */
  namespaceStuckAfterMs?: number;
  now?: () => number;
  siteStatus?: SiteStatusSink;
  /**
   * ACME rate-limit awareness (issue 13): with the edge's probe and the attempts' records, a host whose
   * certificate does not arrive within an attempt window leaves the resolver until its next attempt.
   * Absent: every host that resolves to the platform stays on the resolver (Traefik's own retries).
   */
  certificates?: CertificateAttemptsDeps;
}

export interface KubernetesTarget extends Target {
  /** Reads the cluster now (no writes): each site's status, for a CLI or a resync without changes. */
  observeSiteStatus(snapshot: CustomerSnapshot): Promise<SiteStatus[]>;
}

async function resolveHosts(snapshot: CustomerSnapshot, deps: KubernetesTargetDeps) {
  const hosts = tenantHosts(snapshot);
  const answers = await Promise.all(
    hosts.map(async (host) => [host, await deps.resolver.resolve(host)] as const),
  );
  const status: SiteStatusInput['hosts'] = {};
  const resolution: Record<string, boolean> = {};
  for (const [host, addresses] of answers) {
    resolution[host] = resolvesToPlatform(addresses, deps.config.publicAddresses);
    status[host] = { tls: resolution[host], resolvesTo: addresses };
  }
  return { resolution: resolution as HostResolution, status };
}

/** Status-bearing kinds re-read after writes, and pods/ReplicaSets/events only when something waits. */
async function observeForStatus(
  api: KubeApi,
  snapshot: CustomerSnapshot,
  live: LiveObject[],
  fresh: boolean,
) {
  const namespace = tenantNamespace(snapshot.id);
  const selector = `app.kubernetes.io/managed-by=hostplane,customer-id=${snapshot.id}`;
  let objects = live;
  if (fresh) {
    const kinds = [KINDS.Deployment, KINDS.StatefulSet, KINDS.PersistentVolumeClaim];
    const reread = (await Promise.all(kinds.map((kind) => api.list(kind, namespace, selector)))).flat();
    const rereadKeys = new Set(reread.map(objectKey));
    objects = [...live.filter((o) => !rereadKeys.has(objectKey(o))), ...reread];
  }
  const waiting = objects.some(
    (o) =>
      (o.kind === 'Deployment' || o.kind === 'StatefulSet') &&
      Number(o.status?.readyReplicas ?? 0) < Number(o.spec?.replicas ?? 0),
  );
  if (!waiting) return objects;
  const [pods, replicaSets, events] = await Promise.all([
    api.list(KINDS.Pod, namespace, selector),
    api.list(KINDS.ReplicaSet, namespace, selector),
    api.list(KINDS.Event, namespace),
  ]);
  return [...objects, ...pods, ...replicaSets, ...events];
}

function siteOf(desired: KubeObject[]): Map<string, string> {
  return new Map(
    desired.flatMap((o) =>
      o.metadata.labels[SITE_LABEL] ? [[objectKey(o), o.metadata.labels[SITE_LABEL]]] : [],
    ),
  );
}

export function createKubernetesTarget(deps: KubernetesTargetDeps): KubernetesTarget {
  const now = deps.now ?? Date.now;
  const stuckAfterMs = deps.namespaceStuckAfterMs ?? 600_000;

  async function statusOf(
    snapshot: CustomerSnapshot,
    live: LiveObject[],
    fresh: boolean,
    hosts: SiteStatusInput['hosts'],
    failures: SiteStatusInput['failures'],
  ) {
    const observed = await observeForStatus(deps.kube, snapshot, live, fresh);
    const sites = [...snapshot.sites]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((site) => ({ name: site.name, hosts: siteHosts(site), database: site.database }));
    return summarizeSites({ suspended: snapshot.suspended, sites, hosts, live: observed, failures });
  }

  async function run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
    if (snapshot.deleting) return deleteTenant(deps.kube, snapshot.id, { now, stuckAfterMs });
    if (snapshot.restoring) {
      // Velero recreates the workloads and claims of the backup (and fills the volumes) only where they
      // do not exist: nothing is applied or pruned in the namespace until the restore has finished.
      return {
        status: 'Unknown',
        reason: 'RestoreInProgress',
        message: 'a restore of this customer is running; the namespace is converged once it finishes',
        changes: 0,
        requeue: true,
      };
    }
    const name = tenantNamespace(snapshot.id);
    const liveNamespace = await deps.kube.get(KINDS.Namespace, null, name);
    if (liveNamespace && !isManaged(liveNamespace)) {
      return {
        status: 'False',
        reason: 'NotOwned',
        message: `namespace ${name} exists and was not created by hostplane`,
        changes: 0,
      };
    }
    if (liveNamespace?.metadata.deletionTimestamp) {
      return {
        status: 'False',
        reason: 'NamespaceTerminating',
        message: `namespace ${name} is still Terminating`,
        changes: 0,
        requeue: true,
      };
    }
    const { resolution, status: hosts } = await resolveHosts(snapshot, deps);
    const acme = deps.certificates
      ? await passCertificateAttempts(
          deps.certificates,
          snapshot,
          resolution,
          (r) => desiredTenantObjects(snapshot, deps.config, r),
          new Date(now()),
        )
      : null;
    if (acme && acme.writes > 0)
      ctx.log.info(
        { backingOff: acme.backingOff, requeueAfterMs: acme.requeueAfterMs },
        'certificate attempts',
      );
    const desired = desiredTenantObjects(snapshot, deps.config, acme?.edgeResolution ?? resolution);
    const result = await convergeTenant(deps.kube, desired, snapshot.id, {
      log: ctx.log,
      signal: ctx.signal,
      liveNamespace,
      retainedClaimSites: new Set(retainedDatabaseSites(snapshot)),
    });
    const sites = siteOf(desired);
    const failures = result.failures.map((f) => ({
      key: f.key,
      site: sites.get(f.key) ?? null,
      message: f.error.message,
      code: (f.error as { code?: string }).code ?? 'Failed',
    }));
    const statuses = await statusOf(snapshot, result.live, result.changes > 0, hosts, failures);
    await deps.siteStatus?.(snapshot.id, snapshot.generation, statuses);
    const outcome = kubernetesOutcome(
      statuses,
      failures.filter((f) => f.site === null),
      result.changes,
    );
    return acme?.requeueAfterMs !== undefined && !outcome.requeue
      ? { ...outcome, requeueAfterMs: acme.requeueAfterMs }
      : outcome;
  }

  async function observeSiteStatus(snapshot: CustomerSnapshot): Promise<SiteStatus[]> {
    const { status: hosts } = await resolveHosts(snapshot, deps);
    const selector = `app.kubernetes.io/managed-by=hostplane,customer-id=${snapshot.id}`;
    const namespace = tenantNamespace(snapshot.id);
    const kinds = [KINDS.Deployment, KINDS.StatefulSet, KINDS.PersistentVolumeClaim];
    const live = (await Promise.all(kinds.map((kind) => deps.kube.list(kind, namespace, selector)))).flat();
    return statusOf(snapshot, live, false, hosts, []);
  }

  return { name: 'Kubernetes', run, observeSiteStatus };
}
