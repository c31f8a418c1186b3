import { planOverruns, snapshotUsage } from '../plans/limits.ts';
import type { CustomerSnapshot, PlanLimits } from '../snapshot.ts';
import { desiredTenantObjects } from './desired.ts';
import { quotaHard } from './guardrails.ts';
import { parseQuantity } from './quantity.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

type Obj = Record<string, unknown>;

export interface QuotaConflict {
  /** The ResourceQuota key, e.g. "limits.cpu", "pods". */
  resource: string;
  used: number;
  limit: number;
}

function podTemplateOf(object: KubeObject): { replicas: number; containers: Obj[] } | null {
  if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') return null;
  const spec = object.spec as Obj;
  const podSpec = (spec.template as Obj).spec as Obj;
  return { replicas: Number(spec.replicas ?? 1), containers: podSpec.containers as Obj[] };
}

/** What the customer's sites would use, in ResourceQuota terms (cores, bytes, counts), when running. */
export function tenantUsage(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
): Record<string, number> {
  // Usage of the running state: a suspended customer's sites count as if resumed.
  const objects = desiredTenantObjects({ ...snapshot, suspended: false }, config);
  const usage: Record<string, number> = {
    'limits.cpu': 0,
    'limits.memory': 0,
    'requests.cpu': 0,
    'requests.memory': 0,
    'requests.storage': 0,
    pods: 0,
    persistentvolumeclaims: 0,
    services: objects.filter((o) => o.kind === 'Service').length,
    secrets: objects.filter((o) => o.kind === 'Secret').length,
    configmaps: objects.filter((o) => o.kind === 'ConfigMap').length + 1, // kube-root-ca.crt
  };
  const add = (key: string, amount: number) => {
    usage[key] = (usage[key] ?? 0) + amount;
  };
  for (const object of objects) {
    if (object.kind === 'PersistentVolumeClaim') {
      add('persistentvolumeclaims', 1);
      add(
        'requests.storage',
        parseQuantity(String((((object.spec as Obj).resources as Obj).requests as Obj).storage)),
      );
    }
    const pod = podTemplateOf(object);
    if (!pod) continue;
    add('pods', pod.replicas);
    for (const container of pod.containers) {
      const resources = container.resources as { requests: Obj; limits: Obj };
      for (const [scope, values] of [
        ['requests', resources.requests],
        ['limits', resources.limits],
      ] as const) {
        add(`${scope}.cpu`, pod.replicas * parseQuantity(String(values.cpu)));
        add(`${scope}.memory`, pod.replicas * parseQuantity(String(values.memory)));
      }
    }
    for (const claim of ((object.spec as Obj).volumeClaimTemplates as Obj[] | undefined) ?? []) {
      add('persistentvolumeclaims', pod.replicas);
      const storage = (((claim.spec as Obj).resources as Obj).requests as Obj).storage;
      add('requests.storage', pod.replicas * parseQuantity(String(storage)));
    }
  }
  return usage;
}

/**
 * For a plan change (issue 4 item 7): what the customer's sites would use beyond the new plan's
 * quota. Empty means the change is safe; otherwise the API answers 409 naming each resource.
 */
export function planQuotaConflicts(
  snapshot: CustomerSnapshot,
  limits: PlanLimits,
  config: TenantPlatformConfig,
): QuotaConflict[] {
  const hard = quotaHard({ ...snapshot, plan: { ...snapshot.plan, limits } }, config);
  const usage = tenantUsage(snapshot, config);
  const conflicts: QuotaConflict[] = [];
  for (const [resource, used] of Object.entries(usage)) {
    const quantity = hard[resource];
    if (quantity === undefined) continue;
    const limit = parseQuantity(quantity);
    // Float sums of binary units: compare with a little slack.
    if (used > limit * (1 + 1e-9)) conflicts.push({ resource, used, limit });
  }
  const { sites, databases } = snapshotUsage(snapshot);
  for (const o of planOverruns(limits, { sites, databases }))
    conflicts.push({ resource: o.limit, used: o.used, limit: o.allowed ?? 0 });
  return conflicts.sort((a, b) => a.resource.localeCompare(b.resource));
}
