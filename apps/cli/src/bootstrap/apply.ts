// `hostplane bootstrap --apply`: each step's objects by server-side apply (field manager hostplane),
// skipping objects whose desired hash and owned fields are unchanged (a second run writes nothing),
// then waiting for the step's workloads to be ready before the next namespace.
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapStep } from '@hostplane/platform';
import {
  applyReason,
  applyWithFingerprint,
  KINDS,
  type KubeApi,
  kindRef,
  type LiveObject,
} from '@hostplane/provisioner-k8s';
import {
  droppedSteps,
  type Inventory,
  inventoryOf,
  liveInventory,
  liveMembers,
  memberOrForeign,
  mergeInventories,
  parentObject,
  parentRef,
  pruneMembers,
} from './applyset.ts';

export interface StepResult {
  file: string;
  applied: string[];
  /** Objects of an earlier --apply that this render no longer has (the step's ApplySet). */
  pruned: string[];
  unchanged: number;
  workloads: number;
  ms: number;
}

export interface ApplyOptions {
  /** Per step: how long workloads may take to become ready. */
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  /**
   * What the run waits for, while it waits: a line per workload as it becomes ready, and a heartbeat
   * naming the workloads still pending every `heartbeatMs` (default 10 s).
   */
  progress?: (line: string) => void;
  heartbeatMs?: number;
  /**
   * `steps` is the whole render: a step an earlier --apply installed that this render no longer has
   * (its ApplySet parent exists) is removed, members and parent, after the rendered steps are ready.
   * Off when applying a subset of the steps.
   */
  pruneDroppedSteps?: boolean;
  /**
   * Also wait for each step's DaemonSets (every scheduled pod ready) and BackupStorageLocations
   * (Velero found the bucket: phase Available). On for a real cluster (the CLI); off where pods are
   * faked (kwok), which runs no Velero to make a location Available.
   */
  available?: boolean;
}

const key = (o: KubeObject | LiveObject) =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** The step's ApplySet parent as it is now (null before the first --apply, or its namespace missing). */
async function liveParent(kube: KubeApi, step: BootstrapStep): Promise<LiveObject | null> {
  const { name, namespace } = parentRef(step);
  return kube.get(KINDS.ConfigMap, namespace, name).catch(() => null);
}

/** Writes the parent when its inventory differs from `inventory` (a second run writes nothing). */
async function writeParent(kube: KubeApi, step: BootstrapStep, inventory: Inventory): Promise<boolean> {
  const parent = parentObject(step, inventory);
  if (!applyReason(parent, (await liveParent(kube, step)) ?? undefined)) return false;
  await applyWithFingerprint(kube, parent);
  return true;
}

async function applyStep(
  kube: KubeApi,
  step: BootstrapStep,
  options: ApplyOptions,
): Promise<{ applied: string[]; unchanged: number; inventory: Inventory }> {
  const applied: string[] = [];
  let unchanged = 0;
  let crdsPending = false;
  // The parent first lists what the last run AND this one hold, so a run cut short still knows
  // every member it may have to prune; the namespace must exist to hold it.
  const inventory = mergeInventories(
    liveInventory(await liveParent(kube, step)),
    inventoryOf(step, step.objects),
  );
  let parentWritten = false;
  const ensureParent = async () => {
    if (parentWritten) return;
    if (!(await kube.get(KINDS.Namespace, null, step.namespace))) return;
    await writeParent(kube, step, inventory);
    parentWritten = true;
  };
  for (const rendered of step.objects) {
    if (rendered.kind === 'CustomResourceDefinition') crdsPending = true;
    else if (crdsPending) {
      await waitForCrds(kube, step.objects, options);
      crdsPending = false;
    }
    const isOwnNamespace = rendered.kind === 'Namespace' && rendered.metadata.name === step.namespace;
    if (!isOwnNamespace) await ensureParent();
    const live = await kube.get(
      kindRef(rendered.kind),
      rendered.metadata.namespace ?? null,
      rendered.metadata.name,
    );
    const object = memberOrForeign(step, rendered, live);
    if (!applyReason(object, live ?? undefined)) {
      unchanged++;
      continue;
    }
    await applyWithFingerprint(kube, object);
    applied.push(key(object));
  }
  await ensureParent();
  return { applied, unchanged, inventory };
}

/** After the step is ready: members the render no longer has go, and the parent lists this render only. */
async function pruneStep(kube: KubeApi, step: BootstrapStep, inventory: Inventory): Promise<string[]> {
  const pruned = await pruneMembers(kube, step, inventory, step.objects);
  await writeParent(kube, step, inventoryOf(step, step.objects));
  return pruned;
}

const isEstablished = (live: LiveObject | null): boolean =>
  ((live?.status?.conditions ?? []) as Array<{ type?: string; status?: string }>).some(
    (c) => c.type === 'Established' && c.status === 'True',
  );

/** A step's CRDs (Traefik's, in ingress-system) must be served before objects of their kinds are applied. */
async function waitForCrds(kube: KubeApi, objects: KubeObject[], options: ApplyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    while (!isEstablished(await kube.get(kindRef(crd.kind), null, crd.metadata.name))) {
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not Established`);
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  }
}

/** Ready: the controller saw the latest spec and every replica is ready (and updated). */
export function isWorkloadReady(live: LiveObject): boolean {
  const status = live.status ?? {};
  const observed = Number(status.observedGeneration ?? 0) >= Number(live.metadata.generation ?? 0);
  if (live.kind === 'DaemonSet') {
    const wanted = Number(status.desiredNumberScheduled ?? 0);
    const ready = Number(status.numberReady ?? 0) >= wanted;
    const updated = Number(status.updatedNumberScheduled ?? 0) >= wanted;
    return observed && wanted > 0 && ready && updated;
  }
  // Velero's storage location: Available once the server reached the bucket (validated every minute).
  if (live.kind === 'BackupStorageLocation') return status.phase === 'Available';
  const wanted = Number(live.spec?.replicas ?? 1);
  const ready = Number(status.readyReplicas ?? 0) >= wanted;
  const updated = live.kind !== 'Deployment' || Number(status.updatedReplicas ?? 0) >= wanted;
  return observed && ready && updated;
}

/** What `status` shows and `--apply` waits for in a step (DaemonSets and locations only when `available`). */
function awaited(step: BootstrapStep, available: boolean): KubeObject[] {
  const kinds = available
    ? ['Deployment', 'StatefulSet', 'DaemonSet', 'BackupStorageLocation']
    : ['Deployment', 'StatefulSet'];
  return step.objects.filter((o) => kinds.includes(o.kind));
}

/** A status line's replicas: ready/wanted pods, or a location's phase. */
function replicasOf(live: LiveObject): string {
  const status = live.status ?? {};
  if (live.kind === 'DaemonSet')
    return `${Number(status.numberReady ?? 0)}/${Number(status.desiredNumberScheduled ?? 0)}`;
  if (live.kind === 'BackupStorageLocation') return String(status.phase ?? 'Unknown');
  return `${Number(status.readyReplicas ?? 0)}/${Number(live.spec?.replicas ?? 1)}`;
}

async function waitForWorkloads(kube: KubeApi, step: BootstrapStep, options: ApplyOptions): Promise<number> {
  const workloads = awaited(step, options.available ?? false);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  let nextHeartbeat = started + heartbeatMs;
  const ready = new Set<string>();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  for (;;) {
    const pending: string[] = [];
    for (const w of workloads) {
      if (ready.has(key(w))) continue;
      const live = await kube.get(kindRef(w.kind), w.metadata.namespace ?? null, w.metadata.name);
      if (!live || !isWorkloadReady(live)) {
        pending.push(key(w));
        continue;
      }
      ready.add(key(w));
      options.progress?.(`${step.file}: ${key(w)} ready after ${seconds()} s`);
    }
    if (pending.length === 0) return workloads.length;
    if (Date.now() >= nextHeartbeat) {
      options.progress?.(`${step.file}: still waiting for ${pending.join(', ')} (${seconds()} s)`);
      nextHeartbeat = Date.now() + heartbeatMs;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${step.file}: not ready after ${Math.round(options.timeoutMs / 1000)} s: ${pending.join(', ')}`,
      );
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

/** Steps strictly in order; a step that does not become ready stops the run (later ones depend on it). */
export async function applyBootstrap(
  kube: KubeApi,
  steps: BootstrapStep[],
  options: ApplyOptions,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const started = Date.now();
    const { applied, unchanged, inventory } = await applyStep(kube, step, options);
    options.progress?.(
      `${step.file}: ${applied.length} applied, ${unchanged} unchanged; waiting for workloads`,
    );
    const workloads = await waitForWorkloads(kube, step, options);
    const pruned = await pruneStep(kube, step, inventory);
    for (const gone of pruned) options.progress?.(`${step.file}: pruned ${gone} (no longer rendered)`);
    const result = { file: step.file, applied, pruned, unchanged, workloads, ms: Date.now() - started };
    options.progress?.(`${step.file}: ${workloads} workload(s) ready in ${result.ms} ms`);
    results.push(result);
  }
  if (options.pruneDroppedSteps) results.push(...(await pruneDropped(kube, steps, options)));
  return results;
}

/** Steps a new version dropped entirely: every member of their ApplySet goes, then the parent. */
async function pruneDropped(
  kube: KubeApi,
  steps: BootstrapStep[],
  options: ApplyOptions,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const { step, parent } of await droppedSteps(kube, steps)) {
    const started = Date.now();
    const pruned = await pruneMembers(kube, step, liveInventory(parent), []);
    const { name, namespace } = parentRef(step);
    await kube.delete(KINDS.ConfigMap, namespace, name);
    for (const gone of pruned) options.progress?.(`${step.file}: pruned ${gone} (step no longer rendered)`);
    results.push({
      file: step.file,
      applied: [],
      pruned,
      unchanged: 0,
      workloads: 0,
      ms: Date.now() - started,
    });
  }
  return results;
}

export interface StepDiff {
  file: string;
  /**
   * `create Kind/ns/name` (missing), `update …` (changed spec), `repair …` (drifted fields),
   * `prune …` (made by an earlier --apply, no longer rendered).
   */
  changes: string[];
  unchanged: number;
}

const VERB: Record<string, string> = { missing: 'create', changed: 'update', drifted: 'repair' };

/**
 * What an --apply would write, step by step; reads only. With `pruneDroppedSteps` (the whole render),
 * steps an earlier --apply installed and this render no longer has are listed with their members.
 */
export async function diffBootstrap(
  kube: KubeApi,
  steps: BootstrapStep[],
  options: Pick<ApplyOptions, 'pruneDroppedSteps'> = {},
): Promise<StepDiff[]> {
  const diffs: StepDiff[] = [];
  for (const step of steps) {
    const changes: string[] = [];
    let unchanged = 0;
    for (const rendered of step.objects) {
      const live = await kube
        .get(kindRef(rendered.kind), rendered.metadata.namespace ?? null, rendered.metadata.name)
        // A custom resource whose CRD is not installed yet: it would be created.
        .catch(() => null);
      const object = memberOrForeign(step, rendered, live);
      const reason = applyReason(object, live ?? undefined);
      if (reason) changes.push(`${VERB[reason] ?? reason} ${key(object)}`);
      else unchanged++;
    }
    const inventory = mergeInventories(
      liveInventory(await liveParent(kube, step)),
      inventoryOf(step, step.objects),
    );
    const wanted = new Set(step.objects.map(key));
    for (const { object } of await liveMembers(kube, step, inventory))
      if (!wanted.has(key(object))) changes.push(`prune ${key(object)}`);
    diffs.push({ file: step.file, changes, unchanged });
  }
  if (options.pruneDroppedSteps)
    for (const { step, parent } of await droppedSteps(kube, steps)) {
      const members = await liveMembers(kube, step, liveInventory(parent));
      diffs.push({ file: step.file, changes: members.map((m) => `prune ${key(m.object)}`), unchanged: 0 });
    }
  return diffs;
}

export interface StepStatus {
  file: string;
  namespace: string;
  /** Objects present in the cluster out of those rendered. */
  present: number;
  total: number;
  workloads: { name: string; ready: boolean; replicas: string }[];
  state: 'NotInstalled' | 'Partial' | 'Progressing' | 'Ready';
}

/** Each step's state in the cluster (`hostplane bootstrap status`). */
export async function bootstrapStatus(kube: KubeApi, steps: BootstrapStep[]): Promise<StepStatus[]> {
  const out: StepStatus[] = [];
  for (const step of steps) {
    let present = 0;
    const workloads: StepStatus['workloads'] = [];
    for (const object of step.objects) {
      const live = await kube
        .get(kindRef(object.kind), object.metadata.namespace ?? null, object.metadata.name)
        .catch(() => null);
      if (live) present++;
      if (awaited({ ...step, objects: [object] }, true).length > 0) {
        workloads.push({
          name: key(object),
          ready: live ? isWorkloadReady(live) : false,
          replicas: live ? replicasOf(live) : '-',
        });
      }
    }
    const total = step.objects.length;
    const state =
      present === 0
        ? 'NotInstalled'
        : present < total
          ? 'Partial'
          : workloads.every((w) => w.ready)
            ? 'Ready'
            : 'Progressing';
    out.push({ file: step.file, namespace: step.namespace, present, total, workloads, state });
  }
  return out;
}
