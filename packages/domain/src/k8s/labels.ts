import type { Labels } from './types.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'hostplane';
export const TENANT_LABEL = 'tenant';
export const CUSTOMER_ID_LABEL = 'customer-id';
export const SITE_LABEL = 'hostplane.io/site';
export const COMPONENT_LABEL = 'hostplane.io/component';
/** Marks PVCs born from a StatefulSet's volumeClaimTemplate: their owner is the StatefulSet, not a desired PVC. */
export const CLAIM_TEMPLATE_LABEL = 'hostplane.io/claim-template';
export const DESIRED_HASH_ANNOTATION = 'hostplane.io/desired-hash';
export const FIELDS_HASH_ANNOTATION = 'hostplane.io/fields-hash';
export const FIELD_MANAGER = 'hostplane';

/** DESIGN.md §3: on the namespace and on every object, pod template and volume claim template in it. */
export function tenantLabels(customerId: number): Labels {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [CUSTOMER_ID_LABEL]: String(customerId),
    [TENANT_LABEL]: 'true',
  };
}

export function siteLabels(customerId: number, site: string): Labels {
  return { ...tenantLabels(customerId), [SITE_LABEL]: site };
}

/** The selector used to observe and prune: never matches an object we did not label. */
export function managedSelector(customerId: number): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${CUSTOMER_ID_LABEL}=${customerId}`;
}

export function componentSelector(site: string, component: 'web' | 'database'): Labels {
  return { [SITE_LABEL]: site, [COMPONENT_LABEL]: component };
}
