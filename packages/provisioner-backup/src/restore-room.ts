import { managedSelector, SITE_LABEL, tenantNamespace } from '@hostplane/domain';
import type { LiveObject } from '@hostplane/provisioner-k8s';
import { KINDS, type KubeApi } from '@hostplane/provisioner-k8s';

// A restore brings the customer's namespace back to the backup. Velero restores pod volumes (Kopia) only
// into pods and claims it creates itself: a claim or workload that still exists is skipped, with its
// current data. So before the Velero Restore is created, the tenant's workloads and claims go (the
// backup's copies replace them), and the Kubernetes target stays away until the restore has finished
// (CustomerSnapshot.restoring). Only objects carrying our managed-by label and the customer's id.

/** Deleted: the controllers (the garbage collector takes their pods), then the claims. Pods are only
 * waited for: the worker may read pods, not delete them (panel RBAC). */
const REPLACED_KINDS = [KINDS.Deployment, KINDS.StatefulSet, KINDS.PersistentVolumeClaim];

/** Which of the tenant's objects a restore replaces. */
export interface RestoreReach {
  /** The sites the restore names: only their objects (null: the whole backup). */
  sites: readonly string[] | null;
  /** The sites the backup holds (null: not recorded, then every object is replaced). */
  backupSites: readonly string[] | null;
}

/**
 * A restore of some sites replaces only their objects; a whole restore replaces the objects of the
 * backup's sites and those of no site (the customer's own database server), never a site created after
 * the backup (Velero has nothing to put in its place: deleting it would lose its data).
 */
export function replacedByRestore(object: LiveObject, reach: RestoreReach): boolean {
  const site = object.metadata.labels?.[SITE_LABEL];
  if (reach.sites) return site !== undefined && reach.sites.includes(site);
  if (!reach.backupSites) return true;
  return site === undefined || reach.backupSites.includes(site);
}

/**
 * Deletes what a restore replaces and answers how many of those objects still exist (terminating ones
 * included): the Velero Restore is created once that is 0, so Velero never finds a claim it would skip.
 */
export async function clearForRestore(
  kube: KubeApi,
  customerId: number,
  reach: RestoreReach = { sites: null, backupSites: null },
): Promise<{ deleted: number; remaining: number }> {
  const namespace = tenantNamespace(customerId);
  const selector = managedSelector(customerId);
  // No namespace (yet, or any more): nothing stands in Velero's way.
  if (!(await kube.get(KINDS.Namespace, null, namespace))) return { deleted: 0, remaining: 0 };
  let deleted = 0;
  let remaining = 0;
  for (const kind of REPLACED_KINDS) {
    const objects = ((await kube.list(kind, namespace, selector)) ?? []).filter((o) =>
      replacedByRestore(o, reach),
    );
    remaining += objects.length;
    for (const object of objects) {
      if (object.metadata.deletionTimestamp) continue;
      if (await kube.delete(kind, namespace, object.metadata.name, { propagationPolicy: 'Background' }))
        deleted++;
    }
  }
  remaining += ((await kube.list(KINDS.Pod, namespace, selector)) ?? []).filter((o) =>
    replacedByRestore(o, reach),
  ).length;
  return { deleted, remaining };
}
