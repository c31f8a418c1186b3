import {
  CLAIM_TEMPLATE_LABEL,
  COMPONENT_LABEL,
  DESIRED_HASH_ANNOTATION,
  FIELDS_HASH_ANNOTATION,
  type KubeObject,
  SITE_LABEL,
} from '@hostplane/domain';
import { ownedFieldsFingerprint, shortHash } from './hash.ts';
import type { LiveObject } from './port.ts';

export const PENDING_FIELDS_HASH = 'pending';

export function objectKey(object: { kind: string; metadata: { name: string } }): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** The desired object with its desired-hash annotation; fields-hash starts as a placeholder. */
export function withHashAnnotations(object: KubeObject, fieldsHash = PENDING_FIELDS_HASH): KubeObject {
  const hash = shortHash(object);
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        ...object.metadata.annotations,
        [DESIRED_HASH_ANNOTATION]: hash,
        [FIELDS_HASH_ANNOTATION]: fieldsHash,
      },
    },
  };
}

/** Why an object is applied; `null` when the live object is already what we want. */
export function applyReason(desired: KubeObject, live: LiveObject | undefined): string | null {
  if (!live) return 'missing';
  const annotations = live.metadata.annotations ?? {};
  if (annotations[DESIRED_HASH_ANNOTATION] !== shortHash(desired)) return 'changed';
  if (annotations[FIELDS_HASH_ANNOTATION] !== ownedFieldsFingerprint(live)) return 'drifted';
  return null;
}

export interface TenantPlan {
  apply: { object: KubeObject; reason: string }[];
  prune: LiveObject[];
}

/**
 * Desired vs observed (both only what we own: observed comes from the managed label selector).
 * PVCs born from a StatefulSet's claim template are kept while a StatefulSet of their site is desired,
 * or while the site keeps its database's data (database off without deleteData).
 */
export function planTenantChanges(
  desired: KubeObject[],
  observed: LiveObject[],
  /** Sites whose database is off with its data kept: their claims stay too. */
  retainedClaimSites: ReadonlySet<string> = new Set(),
): TenantPlan {
  const live = new Map(observed.map((object) => [objectKey(object), object]));
  const wanted = new Set(desired.map(objectKey));
  const statefulSets = desired.filter((o) => o.kind === 'StatefulSet');
  const sitesWithDatabase = new Set(statefulSets.flatMap((o) => o.metadata.labels[SITE_LABEL] ?? []));
  // The customer's own MariaDB (issue 16) has no site: its claim stays while its StatefulSet does.
  const componentsWithClaims = new Set(statefulSets.flatMap((o) => o.metadata.labels[COMPONENT_LABEL] ?? []));
  const apply = desired.flatMap((object) => {
    const reason = applyReason(object, live.get(objectKey(object)));
    return reason ? [{ object, reason }] : [];
  });
  const prune = observed.filter((object) => {
    if (wanted.has(objectKey(object)) || object.metadata.deletionTimestamp) return false;
    const labels = object.metadata.labels ?? {};
    const claimOfDesiredDatabase =
      object.kind === 'PersistentVolumeClaim' &&
      labels[CLAIM_TEMPLATE_LABEL] === 'true' &&
      (sitesWithDatabase.has(labels[SITE_LABEL] ?? '') ||
        retainedClaimSites.has(labels[SITE_LABEL] ?? '') ||
        (labels[SITE_LABEL] === undefined && componentsWithClaims.has(labels[COMPONENT_LABEL] ?? '')));
    return !claimOfDesiredDatabase;
  });
  return { apply, prune };
}

/**
 * Quota admission enforces only the resources named in a ResourceQuota's status.hard, which the
 * controller-manager's quota controller fills in some time after the quota is created or changed.
 * Until then pods are admitted uncounted (and the controller may later record a usage lower than
 * what runs), so a tenant could exceed its plan. True once status.hard matches spec.hard.
 */
export function quotaEnforced(quota: LiveObject): boolean {
  const spec = (quota.spec?.hard ?? {}) as Record<string, unknown>;
  const status = ((quota.status as { hard?: Record<string, unknown> } | undefined)?.hard ?? {}) as Record<
    string,
    unknown
  >;
  const keys = Object.keys(spec);
  return keys.length === Object.keys(status).length && keys.every((key) => status[key] === spec[key]);
}
