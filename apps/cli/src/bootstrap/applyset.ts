// The inventory of `hostplane bootstrap --apply` (the ApplySet convention of kubectl, KEP-3659):
// each step has a parent ConfigMap in its namespace labelled applyset.kubernetes.io/id, whose
// annotations list the group-kinds and the extra namespaces its members live in; every object the
// bootstrap CREATED carries applyset.kubernetes.io/part-of=<id>. An --apply prunes members the new
// render no longer has; objects without the label (made by someone else, or present before the
// first install, e.g. the stack's own Traefik CRDs) are applied but never adopted, pruned or removed.
import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapStep } from '@hostplane/platform';
import { isKubeError, KINDS, type KindRef, type KubeApi, type LiveObject } from '@hostplane/provisioner-k8s';

export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const APPLYSET_TOOLING = 'applyset.kubernetes.io/tooling';
export const APPLYSET_KINDS = 'applyset.kubernetes.io/contains-group-kinds';
export const APPLYSET_NAMESPACES = 'applyset.kubernetes.io/additional-namespaces';
const TOOLING = 'hostplane/v1';

/** The parent of a step's ApplySet: a ConfigMap named after the step, in the step's namespace. */
const PARENT_PREFIX = 'hostplane-bootstrap.';

export function parentRef(step: Pick<BootstrapStep, 'file' | 'namespace'>): {
  name: string;
  namespace: string;
} {
  return { name: `${PARENT_PREFIX}${step.file.replace(/\.ya?ml$/, '')}`, namespace: step.namespace };
}

/** applyset-<base64url(sha256(name.namespace.kind.group))>-v1, as the ApplySet spec defines it. */
export function applySetId(step: Pick<BootstrapStep, 'file' | 'namespace'>): string {
  const { name, namespace } = parentRef(step);
  const digest = createHash('sha256').update(`${name}.${namespace}.ConfigMap.`).digest('base64url');
  return `applyset-${digest}-v1`;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const groupKind = (o: { apiVersion: string; kind: string }) =>
  groupOf(o.apiVersion) ? `${o.kind}.${groupOf(o.apiVersion)}` : o.kind;

/** The KindRef of a `Kind.group` the parent lists; undefined for a kind this client does not know. */
function kindOfGroupKind(gk: string): KindRef | undefined {
  const dot = gk.indexOf('.');
  const kind = dot < 0 ? gk : gk.slice(0, dot);
  const group = dot < 0 ? '' : gk.slice(dot + 1);
  return Object.values(KINDS).find((k) => k.kind === kind && groupOf(k.apiVersion) === group);
}

export interface Inventory {
  kinds: string[];
  namespaces: string[];
}

const split = (value: string | undefined) => (value ? value.split(',').filter(Boolean) : []);
const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();

export function inventoryOf(step: BootstrapStep, members: KubeObject[]): Inventory {
  return {
    kinds: union(
      members.map((o) => groupKind(o)),
      [],
    ),
    namespaces: union(
      members.flatMap((o) =>
        o.metadata.namespace && o.metadata.namespace !== step.namespace ? [o.metadata.namespace] : [],
      ),
      [],
    ),
  };
}

export function liveInventory(parent: LiveObject | null): Inventory {
  const annotations = parent?.metadata.annotations ?? {};
  return { kinds: split(annotations[APPLYSET_KINDS]), namespaces: split(annotations[APPLYSET_NAMESPACES]) };
}

export function mergeInventories(a: Inventory, b: Inventory): Inventory {
  return { kinds: union(a.kinds, b.kinds), namespaces: union(a.namespaces, b.namespaces) };
}

export function parentObject(step: BootstrapStep, inventory: Inventory): KubeObject {
  const { name, namespace } = parentRef(step);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { [APPLYSET_ID_LABEL]: applySetId(step), 'app.kubernetes.io/managed-by': 'hostplane' },
      annotations: {
        [APPLYSET_TOOLING]: TOOLING,
        [APPLYSET_KINDS]: inventory.kinds.join(','),
        [APPLYSET_NAMESPACES]: inventory.namespaces.join(','),
      },
    },
    data: {},
  };
}

/** The object as a member of the step's ApplySet (the part-of label added). */
export function asMember(step: BootstrapStep, object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [APPLYSET_PART_OF_LABEL]: applySetId(step) },
    },
  };
}

/**
 * What to apply for `object`: a member (labelled) when it is missing or already ours; as rendered
 * when an object of that name exists that the bootstrap did not create (it is applied, never adopted).
 */
export function memberOrForeign(
  step: BootstrapStep,
  object: KubeObject,
  live: LiveObject | null,
): KubeObject {
  if (!live || live.metadata.labels?.[APPLYSET_PART_OF_LABEL] === applySetId(step))
    return asMember(step, object);
  return object;
}

const key = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The live members of the step's ApplySet among `inventory`'s kinds and namespaces (by label). */
export async function liveMembers(
  kube: KubeApi,
  step: Pick<BootstrapStep, 'file' | 'namespace'>,
  inventory: Inventory,
): Promise<{ kind: KindRef; object: LiveObject }[]> {
  const selector = `${APPLYSET_PART_OF_LABEL}=${applySetId(step)}`;
  const namespaces = union([step.namespace], inventory.namespaces);
  const found: { kind: KindRef; object: LiveObject }[] = [];
  for (const gk of inventory.kinds) {
    const kind = kindOfGroupKind(gk);
    if (!kind) continue; // a kind this version cannot address: left alone
    for (const ns of kind.namespaced ? namespaces : [null]) {
      const objects = await kube.list(kind, ns, selector).catch((error: unknown) => {
        // The kind's CRD (or the namespace) is gone: nothing of it is left to prune.
        if (isKubeError(error, 'NotFound')) return [];
        throw error;
      });
      for (const object of objects) found.push({ kind, object });
    }
  }
  return found;
}

/**
 * Deletes the step's members that `keep` does not list (all of them when `keep` is empty); the
 * Namespace members last, so their contents go first. Returns what it deleted (`Kind/ns/name`).
 */
export async function pruneMembers(
  kube: KubeApi,
  step: Pick<BootstrapStep, 'file' | 'namespace'>,
  inventory: Inventory,
  keep: KubeObject[],
): Promise<string[]> {
  const wanted = new Set(keep.map(key));
  const members = (await liveMembers(kube, step, inventory)).filter((m) => !wanted.has(key(m.object)));
  members.sort((a, b) => Number(a.kind.kind === 'Namespace') - Number(b.kind.kind === 'Namespace'));
  const deleted: string[] = [];
  for (const { kind, object } of members) {
    if (object.metadata.deletionTimestamp) continue;
    if (await kube.delete(kind, object.metadata.namespace ?? null, object.metadata.name))
      deleted.push(
        `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`,
      );
  }
  return deleted;
}

/** A step an earlier --apply installed (its parent exists) that the current render no longer has. */
export interface DroppedStep {
  step: Pick<BootstrapStep, 'file' | 'namespace'>;
  parent: LiveObject;
}

/**
 * The ApplySet parents of this tooling in the cluster whose step `steps` does not render: a new
 * version dropped the step entirely. Only parents whose id matches their own name and namespace
 * (made by this tooling) count; anything else is left alone.
 */
export async function droppedSteps(kube: KubeApi, steps: BootstrapStep[]): Promise<DroppedStep[]> {
  const rendered = new Set(steps.map((s) => applySetId(s)));
  const parents = await kube.list(KINDS.ConfigMap, null, APPLYSET_ID_LABEL);
  const dropped: DroppedStep[] = [];
  for (const parent of parents) {
    const { name, namespace, labels, annotations } = parent.metadata;
    if (!namespace || !name.startsWith(PARENT_PREFIX) || annotations?.[APPLYSET_TOOLING] !== TOOLING)
      continue;
    const step = { file: `${name.slice(PARENT_PREFIX.length)}.yaml`, namespace };
    const id = applySetId(step);
    if (labels?.[APPLYSET_ID_LABEL] !== id || rendered.has(id) || parent.metadata.deletionTimestamp) continue;
    dropped.push({ step, parent });
  }
  return dropped.sort((a, b) => b.step.file.localeCompare(a.step.file));
}
