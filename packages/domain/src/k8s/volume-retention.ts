// Released volumes of deleted sites and customers. Tenant volumes are provisioned with reclaimPolicy
// Retain (Longhorn's class, packages/platform bootstrap/storage.ts): when a claim goes, its volume
// stays Released, so a deletion by mistake can still be undone by an operator. After the platform's
// retention period (storage.releasedVolumeRetentionDays) the worker reclaims it by switching the
// PersistentVolume to reclaimPolicy Delete: the storage system then deletes the volume and the PV.

export interface VolumeFacts {
  name: string;
  phase: string | undefined;
  reclaimPolicy: string | undefined;
  claimNamespace: string | undefined;
  /** status.lastPhaseTransitionTime (Kubernetes ≥ 1.31), ISO. */
  releasedAt: string | undefined;
}

/** Names of the PersistentVolumes to reclaim now (pure; sorted). */
export function releasedVolumesToReclaim(
  volumes: readonly VolumeFacts[],
  now: Date,
  retentionDays: number,
  tenantNamespacePrefix = 'cust-',
): string[] {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  return volumes
    .filter(
      (v) =>
        v.phase === 'Released' &&
        v.reclaimPolicy === 'Retain' &&
        v.claimNamespace?.startsWith(tenantNamespacePrefix) === true &&
        v.releasedAt !== undefined &&
        Date.parse(v.releasedAt) <= cutoff,
    )
    .map((v) => v.name)
    .sort();
}
