import { tenantNamespace } from '@hostplane/domain';
import type { TargetOutcome } from '@hostplane/reconcile';
import { isManaged } from './apply.ts';
import { KINDS } from './kinds.ts';
import type { KubeApi, LiveObject } from './port.ts';

type Obj = Record<string, unknown>;

/** What holds a Terminating namespace: its finalizers and the conditions the namespace controller writes. */
export function describeStuckNamespace(namespace: LiveObject): string {
  const finalizers = [
    ...(namespace.metadata.finalizers ?? []),
    ...(((namespace.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []),
  ];
  const conditions = ((namespace.status?.conditions as Obj[] | undefined) ?? [])
    .filter((c) => c.status === 'True' && typeof c.message === 'string')
    .map((c) => `${String(c.type)}: ${String(c.message)}`);
  const parts = [finalizers.length > 0 ? `finalizers ${finalizers.join(', ')}` : '', ...conditions].filter(
    (part) => part !== '',
  );
  return parts.length > 0 ? parts.join('; ') : 'no finalizer or condition reported';
}

/**
 * Deletion: delete the namespace (only if we created it), then report Deleting with requeue until
 * it is gone, Deleted once it is; Terminating longer than `stuckAfterMs` turns the condition False.
 */
export async function deleteTenant(
  api: KubeApi,
  customerId: number,
  options: { now: () => number; stuckAfterMs: number },
): Promise<TargetOutcome> {
  const name = tenantNamespace(customerId);
  const live = await api.get(KINDS.Namespace, null, name);
  if (!live) return { status: 'True', reason: 'Deleted', message: `namespace ${name} is gone`, changes: 0 };
  if (!isManaged(live)) {
    return {
      status: 'False',
      reason: 'NotOwned',
      message: `namespace ${name} was not created by hostplane; left alone`,
      changes: 0,
    };
  }
  const since = live.metadata.deletionTimestamp;
  if (!since) {
    const deleted = await api.delete(KINDS.Namespace, null, name, { propagationPolicy: 'Background' });
    return {
      status: 'False',
      reason: 'Deleting',
      message: `deleting namespace ${name}`,
      changes: deleted ? 1 : 0,
      requeue: true,
    };
  }
  const elapsedMs = options.now() - Date.parse(since);
  if (elapsedMs > options.stuckAfterMs) {
    const held = describeStuckNamespace(live);
    const seconds = Math.round(elapsedMs / 1000);
    return {
      status: 'False',
      reason: 'NamespaceStuck',
      message: `namespace ${name} Terminating for ${seconds} s: ${held}`,
      changes: 0,
      requeue: true,
    };
  }
  return {
    status: 'False',
    reason: 'Deleting',
    message: `namespace ${name} is Terminating`,
    changes: 0,
    requeue: true,
  };
}
