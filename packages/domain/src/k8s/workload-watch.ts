// Pure: which changes of a site's Deployment or Pod, seen by the worker's watch, make a site's status
// stale, so that the customer's pass is asked for now instead of at the periodic resync.
//
// The site status (provisioner-k8s site-status.ts) reads a Deployment's replicas, ready replicas,
// observed generation and conditions (ReplicaFailure), and a pod's readiness and its containers'
// waiting reasons, OOMKilled terminations and restart counts. Each watched object is reduced to a
// `signal`: a canonical string of exactly those fields. A change matters when the signal moved;
// timestamps, resourceVersion bumps and heartbeats (a Progressing condition's lastUpdateTime, a
// running container's startedAt) do not move it, so the watch does not turn every status write into
// a reconcile pass.
import { tenantNamespace } from '../snapshot.ts';
import {
  COMPONENT_LABEL,
  CUSTOMER_ID_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SITE_LABEL,
} from './labels.ts';

export type WatchedWorkloadKind = 'Deployment' | 'Pod';

/** What the watch hands over: an object as the apiserver sent it, only the read fields typed. */
export interface WatchedWorkload {
  metadata?: {
    name?: string;
    namespace?: string;
    generation?: number;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

/**
 * Label selectors of the watches: a site's web Deployment, and the web and database pods of sites.
 * Cron-job pods carry the site label too but never make a site's status; they are left out so a
 * minutely cron job does not ask for a pass every minute.
 */
export const SITE_DEPLOYMENT_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${SITE_LABEL}`;
export const SITE_POD_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${SITE_LABEL},${COMPONENT_LABEL} in (web,database)`;

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value && typeof value === 'object' ? (value as Obj) : {});
const asArray = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The customer a watched object belongs to: its customer-id label, only when the object is managed
 * by hostplane and lives in that customer's namespace (a copied label elsewhere asks for nothing).
 */
export function customerOfWorkload(object: WatchedWorkload): number | null {
  const labels = object.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return null;
  const raw = labels[CUSTOMER_ID_LABEL] ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || object.metadata?.namespace !== tenantNamespace(id)) return null;
  return id;
}

function deploymentSignal(object: WatchedWorkload): unknown {
  const status = asObj(object.status);
  return {
    generation: num(object.metadata?.generation),
    observedGeneration: num(status.observedGeneration),
    desired: num(asObj(object.spec).replicas),
    replicas: num(status.replicas),
    ready: num(status.readyReplicas),
    available: num(status.availableReplicas),
    updated: num(status.updatedReplicas),
    unavailable: num(status.unavailableReplicas),
    conditions: asArray(status.conditions)
      .map((c) => ({
        type: str(c.type),
        status: str(c.status),
        reason: str(c.reason),
        // A quota or PodSecurity refusal is reported in the message; other messages move with rollouts.
        ...(c.type === 'ReplicaFailure' ? { message: str(c.message) } : {}),
      }))
      .sort((a, b) => a.type.localeCompare(b.type)),
  };
}

function containerSignal(status: Obj): unknown {
  const state = asObj(status.state);
  const last = asObj(asObj(status.lastState).terminated);
  const now = state.waiting
    ? `waiting:${str(asObj(state.waiting).reason)}`
    : state.terminated
      ? `terminated:${str(asObj(state.terminated).reason)}`
      : state.running
        ? 'running'
        : '';
  return {
    name: str(status.name),
    ready: status.ready === true,
    state: now,
    lastTerminated: str(last.reason),
    restarts: num(status.restartCount),
  };
}

function podSignal(object: WatchedWorkload): unknown {
  const status = asObj(object.status);
  const ready = asArray(status.conditions).find((c) => c.type === 'Ready');
  const containers = (list: unknown) =>
    asArray(list)
      .map(containerSignal)
      .sort((a, b) => str(asObj(a).name).localeCompare(str(asObj(b).name)));
  return {
    phase: str(status.phase),
    ready: str(ready?.status),
    init: containers(status.initContainerStatuses),
    containers: containers(status.containerStatuses),
  };
}

/** The fields of a watched object the site status depends on, as one comparable string. */
export function workloadSignal(kind: WatchedWorkloadKind, object: WatchedWorkload): string {
  return JSON.stringify(kind === 'Deployment' ? deploymentSignal(object) : podSignal(object));
}

export type WorkloadEvent =
  /** In the (re)list that starts or restarts a watch. */
  | 'listed'
  /** An ADDED or MODIFIED watch event. */
  | 'changed'
  | 'deleted';

/**
 * Does this event make the customer's site status stale? `known` is the signal last seen for the
 * object (undefined: never seen); `synced` is false until the watch's first list has been taken in.
 *
 * - The first list only learns the signals: the worker's start-up sweep and the periodic resync
 *   already cover what happened while no watch ran, and a restarted worker must not ask for a pass
 *   of every customer at once.
 * - Afterwards (watch events, and the relist after a watch error or an expired resourceVersion) a
 *   new object or a moved signal matters; the same signal does not (a relist of an unchanged
 *   cluster asks for nothing).
 * - A deleted Deployment matters (the site lost its workload); a deleted Pod does not by itself:
 *   its Deployment's replica counts move, and that event asks.
 */
export function workloadChangeMatters(
  kind: WatchedWorkloadKind,
  event: WorkloadEvent,
  known: string | undefined,
  signal: string,
  synced: boolean,
): boolean {
  if (event === 'deleted') return kind === 'Deployment';
  if (!synced) return false;
  return known !== signal;
}
