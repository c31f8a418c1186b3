import { type KubeObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE, managedSelector } from '@hostplane/domain';
import { isKubeError, KubeError } from './errors.ts';
import { ownedFieldsFingerprint } from './hash.ts';
import { KINDS, type KindRef, kindRef } from './kinds.ts';
import { objectKey, planTenantChanges, quotaEnforced, withHashAnnotations } from './plan.ts';
import type { KubeApi, LiveObject } from './port.ts';

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Kinds observed and pruned inside a tenant namespace (apply order). */
export const TENANT_KINDS: KindRef[] = [
  KINDS.RoleBinding,
  KINDS.ResourceQuota,
  KINDS.LimitRange,
  KINDS.NetworkPolicy,
  KINDS.ConfigMap,
  KINDS.Secret,
  KINDS.PersistentVolumeClaim,
  KINDS.Service,
  KINDS.Deployment,
  KINDS.StatefulSet,
  KINDS.CronJob,
  KINDS.Middleware,
  KINDS.Ingress,
];

/** Applied before anything that makes pods, which waits until the quota is enforced. */
const GUARDRAIL_KINDS = new Set(['ResourceQuota', 'LimitRange']);

export interface ChangeFailure {
  key: string;
  op: 'apply' | 'delete';
  error: Error;
}

export interface ConvergeResult {
  changes: number;
  failures: ChangeFailure[];
  /** Managed objects as they are after this pass (applied answers replace what was observed). */
  live: LiveObject[];
}

export function isManaged(object: LiveObject): boolean {
  return object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** Apply, then apply again to record the fingerprint of the fields we now own (see hash.ts). */
export async function applyWithFingerprint(api: KubeApi, object: KubeObject): Promise<LiveObject> {
  const applied = await api.apply(withHashAnnotations(object));
  const fingerprint = ownedFieldsFingerprint(applied);
  if (!fingerprint) return applied;
  return api.apply(withHashAnnotations(object, fingerprint));
}

async function listManaged(api: KubeApi, namespace: string, customerId: number): Promise<LiveObject[]> {
  const selector = managedSelector(customerId);
  const lists = await Promise.all(
    TENANT_KINDS.map(async (kind) => {
      try {
        return await api.list(kind, namespace, selector);
      } catch (error) {
        // A CRD kind (Traefik Middleware) not installed: nothing of it can exist.
        if (isKubeError(error, 'NotFound') && kind.apiVersion.includes('.io/')) return [];
        throw error;
      }
    }),
  );
  return lists.flat();
}

/** Right after the RoleBinding lands, RBAC caches need a moment before the panel may write. */
async function waitForTenantAccess(api: KubeApi, namespace: string, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await api.canI('patch', '', 'resourcequotas', namespace)) return;
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new KubeError('Forbidden', `no access to ${namespace} 10 s after its RoleBinding was applied`, 403);
}

/** Workloads wait for this: pods created before the quota is enforced are never refused. */
async function waitForQuotaEnforced(
  api: KubeApi,
  quota: LiveObject,
  signal: AbortSignal,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { namespace = '', name } = quota.metadata;
  let live: LiveObject | null = quota;
  while (!live || !quotaEnforced(live)) {
    if (Date.now() > deadline)
      throw new KubeError(
        'Unavailable',
        `ResourceQuota ${namespace}/${name} not enforced ${timeoutMs / 1000} s after it was applied (status.hard unset)`,
        503,
      );
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 200));
    live = await api.get(KINDS.ResourceQuota, namespace, name);
  }
}

async function applyOne(
  api: KubeApi,
  change: { object: KubeObject; reason: string },
  log: Log,
  result: ConvergeResult,
): Promise<void> {
  const key = objectKey(change.object);
  const started = Date.now();
  try {
    const live = await applyWithFingerprint(api, change.object);
    result.live = [...result.live.filter((o) => objectKey(o) !== key), live];
    result.changes++;
    log.info({ op: 'apply', key, reason: change.reason, outcome: 'ok', ms: Date.now() - started }, 'applied');
  } catch (error) {
    if (isKubeError(error, 'Unavailable')) throw error;
    result.failures.push({ key, op: 'apply', error: error as Error });
    const err = (error as Error).message;
    log.warn({ op: 'apply', key, reason: change.reason, outcome: 'failed', err }, 'apply failed');
  }
}

/** Kind by kind in apply order (quota before pods); objects of one kind go in parallel. */
async function applyAll(
  api: KubeApi,
  changes: { object: KubeObject; reason: string }[],
  log: Log,
  result: ConvergeResult,
): Promise<void> {
  const kinds = [...new Set(changes.map((change) => change.object.kind))];
  for (const kind of kinds) {
    const ofKind = changes.filter((change) => change.object.kind === kind);
    await Promise.all(ofKind.map((change) => applyOne(api, change, log, result)));
  }
}

async function pruneAll(
  api: KubeApi,
  objects: LiveObject[],
  log: Log,
  result: ConvergeResult,
): Promise<void> {
  for (const object of objects) {
    const key = objectKey(object);
    if (!isManaged(object)) continue; // belt and braces: the selector already guarantees it
    try {
      await api.delete(kindRef(object.kind), object.metadata.namespace ?? null, object.metadata.name);
      result.live = result.live.filter((o) => objectKey(o) !== key);
      result.changes++;
      log.info({ op: 'delete', key, outcome: 'ok' }, 'pruned');
    } catch (error) {
      if (isKubeError(error, 'Unavailable')) throw error;
      result.failures.push({ key, op: 'delete', error: error as Error });
    }
  }
}

/**
 * Converges one tenant namespace: namespace and the panel's RoleBinding first (then waits until
 * the binding is effective), then the ResourceQuota and LimitRange (then waits until the quota is
 * enforced), then every other desired object; prunes managed objects no longer
 * desired. Unavailable errors abort the pass (the engine retries); others are collected.
 */
export async function convergeTenant(
  api: KubeApi,
  desired: KubeObject[],
  customerId: number,
  options: {
    log: Log;
    signal: AbortSignal;
    liveNamespace: LiveObject | null;
    retainedClaimSites?: ReadonlySet<string>;
  },
): Promise<ConvergeResult> {
  const [namespace, ...inside] = desired;
  if (namespace?.kind !== 'Namespace') throw new Error('desired state must start with the Namespace');
  const name = namespace.metadata.name;
  const result: ConvergeResult = { changes: 0, failures: [], live: [] };
  const observed = options.liveNamespace ? await listManaged(api, name, customerId) : [];
  const nsPlan = planTenantChanges([namespace], options.liveNamespace ? [options.liveNamespace] : []);
  await applyAll(api, nsPlan.apply, options.log, result);
  if (result.failures.length > 0) return result;
  const bindingKinds = new Set(['RoleBinding']);
  const first = planTenantChanges(
    inside.filter((o) => bindingKinds.has(o.kind)),
    observed.filter((o) => bindingKinds.has(o.kind)),
  );
  await applyAll(api, first.apply, options.log, result);
  if (first.apply.length > 0) await waitForTenantAccess(api, name, options.signal);
  const rest = planTenantChanges(
    inside.filter((o) => !bindingKinds.has(o.kind)),
    observed.filter((o) => !bindingKinds.has(o.kind)),
    options.retainedClaimSites,
  );
  result.live = [
    ...observed.filter((o) => !result.live.some((r) => objectKey(r) === objectKey(o))),
    ...result.live,
  ];
  // Guardrails first, and workloads only once the quota counts their pods (see quotaEnforced).
  const guardrails = rest.apply.filter((change) => GUARDRAIL_KINDS.has(change.object.kind));
  await applyAll(api, guardrails, options.log, result);
  if (result.failures.length > 0) return result; // no workloads without their plan's quota
  const workloads = rest.apply.filter((change) => !GUARDRAIL_KINDS.has(change.object.kind));
  const quota = result.live.find((o) => o.kind === 'ResourceQuota');
  if (workloads.length > 0 && quota && !quotaEnforced(quota)) {
    await waitForQuotaEnforced(api, quota, options.signal);
  }
  await applyAll(api, workloads, options.log, result);
  await pruneAll(api, [...first.prune, ...rest.prune], options.log, result);
  return result;
}
