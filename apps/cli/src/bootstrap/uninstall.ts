// `hostplane bootstrap --uninstall`: removes what --apply created, step by step in reverse order:
// every member of each step's ApplySet (the namespaces it created, the cluster-scoped objects it
// owns, objects it put in other namespaces), then the parent. Objects it applied but did not create
// (no part-of label) stay. Idempotent: a second run finds nothing and deletes nothing.
import type { BootstrapStep } from '@hostplane/platform';
import { KINDS, type KubeApi } from '@hostplane/provisioner-k8s';
import { inventoryOf, liveInventory, mergeInventories, parentRef, pruneMembers } from './applyset.ts';

export interface UninstallOptions {
  /** How long the deleted namespaces may take to be gone. */
  timeoutMs: number;
  pollMs?: number;
  progress?: (line: string) => void;
}

export interface StepRemoval {
  file: string;
  deleted: string[];
}

export async function uninstallBootstrap(
  kube: KubeApi,
  steps: BootstrapStep[],
  options: UninstallOptions,
): Promise<StepRemoval[]> {
  const removals: StepRemoval[] = [];
  const namespaces = new Set<string>();
  for (const step of [...steps].reverse()) {
    const { name, namespace } = parentRef(step);
    const parent = await kube.get(KINDS.ConfigMap, namespace, name).catch(() => null);
    const inventory = mergeInventories(liveInventory(parent), inventoryOf(step, step.objects));
    const deleted = await pruneMembers(kube, step, inventory, []);
    if (parent) await kube.delete(KINDS.ConfigMap, namespace, name);
    for (const gone of deleted) {
      options.progress?.(`${step.file}: deleted ${gone}`);
      if (gone.startsWith('Namespace/')) namespaces.add(gone.slice('Namespace/'.length));
    }
    removals.push({ file: step.file, deleted });
  }
  // Terminating namespaces still hold their pods: done when they are gone (a new install can follow).
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const left: string[] = [];
    for (const ns of namespaces) if (await kube.get(KINDS.Namespace, null, ns)) left.push(ns);
    if (left.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `namespaces still terminating after ${Math.round(options.timeoutMs / 1000)} s: ${left.join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
  return removals;
}
