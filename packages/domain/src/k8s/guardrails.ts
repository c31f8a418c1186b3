import type { CustomerSnapshot } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { tenantLabels } from './labels.ts';
import { minQuantity } from './quantity.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

const POD_SECURITY = ['enforce', 'audit', 'warn'].map((mode) => `pod-security.kubernetes.io/${mode}`);

export function namespaceObject(snapshot: CustomerSnapshot): KubeObject {
  const labels = { ...tenantLabels(snapshot.id) };
  for (const key of POD_SECURITY) labels[key] = 'restricted';
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: tenantNamespace(snapshot.id), labels } };
}

/** Lets the panel's service account manage this namespace only (see packages/platform/src/rbac). */
export function panelRoleBinding(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject {
  const { serviceAccount, namespace, tenantClusterRole } = config.panelIdentity;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {
      name: 'hostplane-panel',
      namespace: tenantNamespace(snapshot.id),
      labels: tenantLabels(snapshot.id),
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: tenantClusterRole },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  };
}

/**
 * Lets the API's service account read what its live routes show in this namespace only: a site's
 * pod logs, a cron job's runs, the database Service's address for dumps (the reader ClusterRole in
 * packages/platform/src/rbac). None when the config names no API identity.
 */
export function apiRoleBinding(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject[] {
  const { apiServiceAccount, tenantReaderClusterRole, namespace } = config.panelIdentity;
  if (!apiServiceAccount || !tenantReaderClusterRole) return [];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'hostplane-panel-api',
        namespace: tenantNamespace(snapshot.id),
        labels: tenantLabels(snapshot.id),
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: tenantReaderClusterRole },
      subjects: [{ kind: 'ServiceAccount', name: apiServiceAccount, namespace }],
    },
  ];
}

/** Object counts follow the plan, not the sites that exist now, so adding a site needs no quota change. */
export function quotaHard(snapshot: CustomerSnapshot, config: TenantPlatformConfig): Record<string, string> {
  const { cpu, memory, storage, sites, databases } = snapshot.plan.limits;
  // One surge pod per site during a rolling update.
  const pods = sites * (config.tenantLimits.maxReplicasPerSite + 1) + databases;
  return {
    configmaps: String(sites + 2), // + kube-root-ca.crt, published into every namespace
    'limits.cpu': cpu,
    'limits.memory': memory,
    persistentvolumeclaims: String(sites + databases),
    pods: String(pods),
    'requests.cpu': cpu,
    'requests.memory': memory,
    'requests.storage': storage,
    secrets: String(databases + 2),
    services: String(sites + databases + 1), // + the suspended-page or the webmail ExternalName Service (never both)
    'services.loadbalancers': '0',
    'services.nodeports': '0',
  };
}

export function resourceQuota(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'plan', namespace: tenantNamespace(snapshot.id), labels: tenantLabels(snapshot.id) },
    spec: { hard: quotaHard(snapshot, config) },
  };
}

/** The per-container ceiling: the platform's maximum, never above the whole plan. */
export function containerMax(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
): { cpu: string; memory: string } {
  return {
    cpu: minQuantity(config.tenantLimits.containerMaxCpu, snapshot.plan.limits.cpu),
    memory: minQuantity(config.tenantLimits.containerMaxMemory, snapshot.plan.limits.memory),
  };
}

export function limitRange(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject {
  const max = containerMax(snapshot, config);
  const defaultLimit = { cpu: minQuantity('500m', max.cpu), memory: minQuantity('256Mi', max.memory) };
  const defaultRequest = {
    cpu: minQuantity('50m', defaultLimit.cpu),
    memory: minQuantity('64Mi', defaultLimit.memory),
  };
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: {
      name: 'defaults',
      namespace: tenantNamespace(snapshot.id),
      labels: tenantLabels(snapshot.id),
    },
    spec: {
      limits: [
        { type: 'Container', default: defaultLimit, defaultRequest, max },
        {
          type: 'PersistentVolumeClaim',
          min: { storage: minQuantity(config.storage.pvcMin, snapshot.plan.limits.storage) },
          max: { storage: snapshot.plan.limits.storage },
        },
      ],
    },
  };
}
