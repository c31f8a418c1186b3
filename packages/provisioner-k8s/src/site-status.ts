// Pure: turns what was observed in the namespace into each site's status and the customer's
// Kubernetes condition. Reasons name the cause: QuotaExceeded, ImagePullBackOff, ErrImageNeverPull,
// CrashLoopBackOff (with the container's last log lines), OOMKilled, and for a container that runs
// but never becomes ready the kubelet's probe message (ReadinessProbeFailed, LivenessProbeFailed,
// StartupProbeFailed)…
import { SITE_LABEL } from '@hostplane/domain';
import type { LiveObject } from './port.ts';

export interface HostStatus {
  host: string;
  tls: boolean;
  /** Addresses the host resolves to now (empty when it does not resolve). */
  resolvesTo: string[];
}

export type SiteState = 'Ready' | 'Progressing' | 'Suspended' | 'Failed';

export interface SiteStatus {
  name: string;
  state: SiteState;
  reason: string;
  message: string;
  replicas: { desired: number; ready: number };
  database: { ready: boolean } | null;
  volume: { phase: string };
  hosts: HostStatus[];
}

export interface SiteStatusInput {
  suspended: boolean;
  sites: { name: string; hosts: string[]; database: boolean }[];
  hosts: Record<string, { tls: boolean; resolvesTo: string[] }>;
  /** Managed objects after the pass plus pods, ReplicaSets and events (when read). */
  live: LiveObject[];
  failures: { key: string; site: string | null; message: string; code: string }[];
}

const WAITING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value && typeof value === 'object' ? (value as Obj) : {});
const asArray = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

function find(live: LiveObject[], kind: string, name: string): LiveObject | undefined {
  return live.find((o) => o.kind === kind && o.metadata.name === name);
}

/** Reason and message of a failed pod creation, from ReplicaSet/Deployment conditions or events. */
export function classifyCreateFailure(message: string): string {
  if (/exceeded quota/.test(message)) return 'QuotaExceeded';
  if (/violates PodSecurity/.test(message)) return 'PodSecurityViolation';
  if (/must be less than or equal to|maximum .* usage/.test(message)) return 'LimitRangeExceeded';
  return 'FailedCreate';
}

function createFailure(site: string, live: LiveObject[]): { reason: string; message: string } | null {
  const owners = live.filter(
    (o) =>
      ((o.kind === 'ReplicaSet' && num(o.spec?.replicas) > 0) || o.kind === 'Deployment') &&
      o.metadata.labels?.[SITE_LABEL] === site,
  );
  for (const owner of owners) {
    for (const condition of asArray(owner.status?.conditions)) {
      if (condition.type === 'ReplicaFailure' && condition.status === 'True') {
        const message = String(condition.message ?? '');
        return { reason: classifyCreateFailure(message), message };
      }
    }
  }
  const event = live.find((o) => {
    const involved = asObj(o.involvedObject);
    return o.kind === 'Event' && o.reason === 'FailedCreate' && involved.name === `${site}-db`;
  });
  if (event) return { reason: classifyCreateFailure(String(event.message)), message: String(event.message) };
  return null;
}

/** The last lines a failed container left (FallbackToLogsOnError puts its log tail here). */
function lastLines(text: unknown, lines = 5): string {
  return String(text ?? '')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .join(' | ')
    .slice(-500);
}

function podFailure(site: string, live: LiveObject[]): { reason: string; message: string } | null {
  for (const pod of live.filter((o) => o.kind === 'Pod' && o.metadata.labels?.[SITE_LABEL] === site)) {
    for (const status of asArray(pod.status?.containerStatuses)) {
      const where = `${pod.metadata.name}/${String(status.name)}`;
      const waiting = asObj(asObj(status.state).waiting);
      const terminated = asObj(asObj(status.state).terminated);
      const last = asObj(asObj(status.lastState).terminated);
      const restarts = num(status.restartCount);
      // The kernel killed it at its memory limit: that, not the back-off that follows, is the cause.
      if (terminated.reason === 'OOMKilled' || last.reason === 'OOMKilled') {
        const after = restarts > 0 ? ` (${restarts} restarts)` : '';
        return { reason: 'OOMKilled', message: `${where}: killed for exceeding its memory limit${after}` };
      }
      const reason = String(waiting.reason ?? '');
      if (!WAITING_REASONS.has(reason)) continue;
      let message = `${where}: ${String(waiting.message ?? reason)}`;
      if (reason === 'CrashLoopBackOff' && Object.keys(last).length > 0) {
        const exit = `exit code ${num(last.exitCode)} (${String(last.reason ?? 'Error')}) after ${restarts} restarts`;
        const logs = lastLines(last.message);
        message = `${message}; ${exit}${logs ? `: ${logs}` : ''}`;
      }
      return { reason: reason === 'ErrImagePull' ? 'ImagePullBackOff' : reason, message };
    }
  }
  return null;
}

/** Probes the kubelet reports as `Unhealthy` events, by the first words of their message. */
const PROBE_REASONS: Array<[RegExp, string]> = [
  [/^Readiness probe failed/, 'ReadinessProbeFailed'],
  [/^Liveness probe failed/, 'LivenessProbeFailed'],
  [/^Startup probe failed/, 'StartupProbeFailed'],
];
/** One failed probe while a server starts is normal; this many in a row (the kubelet's default
 * failureThreshold) is a site that does not come up. */
export const PROBE_FAILURES_REPORTED = 3;

/** A container that runs but is not ready, and the kubelet's last word on why (its probe events). */
function probeFailure(site: string, live: LiveObject[]): { reason: string; message: string } | null {
  for (const pod of live.filter((o) => o.kind === 'Pod' && o.metadata.labels?.[SITE_LABEL] === site)) {
    for (const status of asArray(pod.status?.containerStatuses)) {
      if (status.ready === true || !asObj(status.state).running) continue;
      const container = String(status.name);
      const events = live.filter((o) => {
        const involved = asObj(o.involvedObject);
        return (
          o.kind === 'Event' &&
          o.reason === 'Unhealthy' &&
          involved.kind === 'Pod' &&
          involved.name === pod.metadata.name &&
          String(involved.fieldPath ?? '').includes(`{${container}}`)
        );
      });
      const event = events
        .map((e) => ({ e, at: String(e.lastTimestamp ?? e.eventTime ?? '') }))
        .sort((a, b) => b.at.localeCompare(a.at))[0]?.e;
      if (!event) continue;
      const count = Math.max(num(event.count), num(asObj(event.series).count), 1);
      if (count < PROBE_FAILURES_REPORTED) continue;
      const text = String(event.message ?? '').trim();
      const reason = PROBE_REASONS.find(([pattern]) => pattern.test(text))?.[1] ?? 'ProbeFailed';
      // A startup probe fails by design until the server listens (every second, up to its
      // failureThreshold of 60): only a container the kubelet has restarted for it has failed. Reported
      // earlier, a site whose app takes a few seconds to start (WordPress copying itself into the
      // volume) showed Failed, and nothing looked again until the periodic resync.
      if (reason === 'StartupProbeFailed' && num(status.restartCount) === 0) continue;
      return {
        reason,
        message: `${pod.metadata.name}/${container}: ${lastLines(text, 3)} (${count} times)`,
      };
    }
  }
  return null;
}

function workloadReady(object: LiveObject | undefined): { desired: number; ready: number; current: boolean } {
  const desired = num(object?.spec?.replicas);
  const ready = num(object?.status?.readyReplicas);
  // A workload not (yet) in the cluster is never current.
  const current =
    object !== undefined && num(object.status?.observedGeneration) >= num(object.metadata.generation);
  return { desired, ready, current };
}

export function summarizeSite(input: SiteStatusInput, site: SiteStatusInput['sites'][number]): SiteStatus {
  const web = workloadReady(find(input.live, 'Deployment', site.name));
  const db = site.database ? workloadReady(find(input.live, 'StatefulSet', `${site.name}-db`)) : null;
  const pvc = find(input.live, 'PersistentVolumeClaim', `${site.name}-data`);
  const volumePhase = pvc ? String(pvc.status?.phase ?? 'Pending') : 'Missing';
  const hosts = site.hosts.map((host) => ({
    host,
    ...(input.hosts[host] ?? { tls: false, resolvesTo: [] }),
  }));
  const base = {
    name: site.name,
    replicas: { desired: web.desired, ready: web.ready },
    database: db ? { ready: db.current && db.ready >= db.desired } : null,
    volume: { phase: volumePhase },
    hosts,
  };
  const applyFailure = input.failures.find((f) => f.site === site.name);
  const failure = applyFailure
    ? { reason: applyFailure.code, message: `${applyFailure.key}: ${applyFailure.message}` }
    : (createFailure(site.name, input.live) ??
      podFailure(site.name, input.live) ??
      probeFailure(site.name, input.live));
  if (failure) return { ...base, state: 'Failed', ...failure };
  if (input.suspended) return { ...base, state: 'Suspended', reason: 'Suspended', message: 'scaled to zero' };
  const webReady = web.current && web.ready >= web.desired;
  if (!webReady || (db && !base.database?.ready) || volumePhase !== 'Bound') {
    const reason = volumePhase !== 'Bound' ? 'VolumePending' : 'Progressing';
    const dbText = db ? `, database ${db.ready}/${db.desired}` : '';
    const message = `${web.ready}/${web.desired} ready${dbText}, volume ${volumePhase}`;
    return { ...base, state: 'Progressing', reason, message };
  }
  const awaiting = hosts.filter((h) => !h.tls);
  if (awaiting.length > 0) {
    const message = awaiting
      .map((h) => `${h.host} resolves to ${h.resolvesTo.length ? h.resolvesTo.join(', ') : 'nothing'}`)
      .join('; ');
    return {
      ...base,
      state: 'Ready',
      reason: 'AwaitingDNS',
      message: `serving over HTTP until DNS points here: ${message}`,
    };
  }
  return { ...base, state: 'Ready', reason: 'Ready', message: `${web.ready}/${web.desired} ready` };
}

export function summarizeSites(input: SiteStatusInput): SiteStatus[] {
  return input.sites.map((site) => summarizeSite(input, site));
}
