// Retries of a backup whose volume part failed (issue 15: a node agent killed mid-backup). Velero ends
// such a backup PartiallyFailed and never resumes it; the Backup target then makes a new Velero Backup
// (an "attempt") of the same spec once the node agent runs again, and the panel's row follows the
// newest attempt. Attempts are named `<first attempt>-r<n>` and carry the first attempt's name in an
// annotation (a name can exceed a label value's 63 characters). Pure: no clock, no randomness.
import type { KubeObject } from '../k8s/types.ts';

/** The first attempt's Velero name, on every retry. */
export const RETRY_OF_ANNOTATION = 'hostplane.io/retry-of';
/** The attempt's number (2, 3, …); the first attempt has none. */
export const ATTEMPT_ANNOTATION = 'hostplane.io/attempt';
/** Attempts per backup, the first included: two retries, then the failure stays. */
export const MAX_BACKUP_ATTEMPTS = 3;
/** A failed attempt is retried only within this time after it ended. */
export const RETRY_WINDOW_MS = 6 * 60 * 60 * 1000;
/** A retry is made this long after the failed attempt ended (and only with the node agent ready). */
export const RETRY_DELAY_MS = 30_000;
/** Phases after which an attempt is retried (FailedValidation would fail the same way again). */
export const RETRIED_PHASES = new Set(['PartiallyFailed', 'Failed']);

export function retryBackupName(firstAttempt: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 2)
    throw new Error(`a retry is attempt 2 or later, got ${attempt}`);
  return `${firstAttempt}-r${attempt}`;
}

/** A retry: the first attempt's spec (its TTL, hooks and selector) under the attempt's name. */
export function desiredRetryBackup(
  first: BackupLike & {
    apiVersion: string;
    metadata: { namespace?: string | undefined; labels?: Record<string, string> | undefined };
    spec?: unknown;
  },
  attempt: number,
): KubeObject {
  const name = first.metadata.name;
  return {
    apiVersion: first.apiVersion,
    kind: 'Backup',
    metadata: {
      name: retryBackupName(name, attempt),
      ...(first.metadata.namespace ? { namespace: first.metadata.namespace } : {}),
      // The tenant's labels; not Velero's own (a Schedule's name would make the retry a scheduled backup).
      labels: Object.fromEntries(
        Object.entries(first.metadata.labels ?? {}).filter(([key]) => !key.startsWith('velero.io/')),
      ),
      annotations: { [RETRY_OF_ANNOTATION]: name, [ATTEMPT_ANNOTATION]: String(attempt) },
    },
    spec: structuredClone(first.spec),
  };
}

/** What the attempts are read from: Velero Backups as listed (live objects carry a status). */
export interface BackupLike {
  metadata: {
    name: string;
    annotations?: Record<string, string> | undefined;
    deletionTimestamp?: string | undefined;
  };
  status?: unknown;
}

export interface BackupAttempt<T extends BackupLike = BackupLike> {
  /** The first attempt's Velero name (the key the panel's row and the mail/DNS exports use). */
  first: string;
  attempt: number;
  object: T;
}

/** The attempts of each backup, by first attempt's name, oldest first. */
export function backupAttempts<T extends BackupLike>(backups: readonly T[]): Map<string, BackupAttempt<T>[]> {
  const byFirst = new Map<string, BackupAttempt<T>[]>();
  for (const object of backups) {
    const annotations = object.metadata.annotations ?? {};
    const first = annotations[RETRY_OF_ANNOTATION] ?? object.metadata.name;
    const attempt = annotations[RETRY_OF_ANNOTATION] ? Number(annotations[ATTEMPT_ANNOTATION] ?? 0) : 1;
    if (!Number.isInteger(attempt) || attempt < 1) continue;
    const list = byFirst.get(first) ?? [];
    list.push({ first, attempt, object });
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => a.attempt - b.attempt);
  return byFirst;
}

/** The attempt that stands for the backup: the newest one Velero still holds. */
export function currentAttempt<T extends BackupLike>(
  attempts: ReadonlyMap<string, BackupAttempt<T>[]>,
  first: string,
): BackupAttempt<T> | undefined {
  return attempts.get(first)?.at(-1);
}

function completionOf(object: BackupLike): string {
  const status = object.status as { completionTimestamp?: unknown } | undefined;
  return typeof status?.completionTimestamp === 'string' ? status.completionTimestamp : '';
}

function phaseOf(object: BackupLike): string {
  const status = object.status as { phase?: unknown } | undefined;
  return typeof status?.phase === 'string' ? status.phase : '';
}

export interface PlannedRetry<T extends BackupLike> {
  /** The first attempt (its spec is copied). */
  first: T;
  /** The newest attempt, which failed. */
  failed: BackupAttempt<T>;
  /** The number of the attempt to make. */
  next: number;
  /** Not before (ISO time): a short delay after the failure, so a crashed agent is seen restarting. */
  dueAt: string;
}

/**
 * The retries to make: for every backup whose newest attempt ended PartiallyFailed or Failed and
 * that has attempts left, the next attempt (none while an attempt is being deleted).
 */
export function plannedRetries<T extends BackupLike>(
  attempts: ReadonlyMap<string, BackupAttempt<T>[]>,
  options: { now: number; maxAttempts?: number; windowMs?: number; delayMs?: number },
): PlannedRetry<T>[] {
  const maxAttempts = options.maxAttempts ?? MAX_BACKUP_ATTEMPTS;
  const windowMs = options.windowMs ?? RETRY_WINDOW_MS;
  const delayMs = options.delayMs ?? RETRY_DELAY_MS;
  const out: PlannedRetry<T>[] = [];
  for (const list of attempts.values()) {
    const first = list.find((a) => a.attempt === 1)?.object ?? list[0]?.object;
    const newest = list.at(-1);
    if (!first || !newest || newest.object.metadata.deletionTimestamp) continue;
    if (!RETRIED_PHASES.has(phaseOf(newest.object)) || newest.attempt >= maxAttempts) continue;
    // Only a recent failure: a backup that failed long ago is not made again (the Schedule's next one is).
    const ended = Date.parse(completionOf(newest.object));
    if (Number.isNaN(ended) || options.now - ended > windowMs) continue;
    out.push({
      first,
      failed: newest,
      next: newest.attempt + 1,
      dueAt: new Date(ended + delayMs).toISOString(),
    });
  }
  return out.sort((a, b) => a.first.metadata.name.localeCompare(b.first.metadata.name));
}
