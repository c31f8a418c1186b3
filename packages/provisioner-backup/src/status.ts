// Velero's progress (status.phase and timestamps) read back into the panel's rows. Pure.
import type { KubeObject } from '@hostplane/domain';
import {
  backupAttempts,
  currentAttempt,
  RETRY_OF_ANNOTATION,
  SCHEDULE_NAME_LABEL,
  veleroObjectName,
} from '@hostplane/domain';
import { applyReason, type LiveObject } from '@hostplane/provisioner-k8s';
import { z } from 'zod';
import type { BackupStats, JobKind, JobRow, JobStatus } from './port.ts';

/** Phases after which Velero does nothing more with the object (besides deleting it at its TTL). */
export const TERMINAL_PHASES = new Set([
  'Completed',
  'PartiallyFailed',
  'Failed',
  'FailedValidation',
  'Deleted',
]);
export const FAILED_PHASES = new Set(['PartiallyFailed', 'Failed', 'FailedValidation']);

const veleroStatusSchema = z
  .looseObject({
    phase: z.string().optional(),
    startTimestamp: z.string().optional(),
    completionTimestamp: z.string().optional(),
    failureReason: z.string().optional(),
    validationErrors: z.array(z.string()).optional(),
    errors: z.number().optional(),
    warnings: z.number().optional(),
    progress: z
      .looseObject({ itemsBackedUp: z.number().optional(), totalItems: z.number().optional() })
      .optional(),
  })
  .optional();

/** A PodVolumeBackup's progress: bytes the node agent moved for one pod volume. */
const podVolumeStatusSchema = z
  .looseObject({
    progress: z
      .looseObject({ bytesDone: z.number().optional(), totalBytes: z.number().optional() })
      .optional(),
  })
  .optional();

/** Bytes of pod volume data in a backup: the sum of its PodVolumeBackups' bytesDone. */
export function podVolumeBytes(podVolumeBackups: readonly LiveObject[]): number {
  return podVolumeBackups.reduce(
    (sum, pvb) => sum + (podVolumeStatusSchema.parse(pvb.status)?.progress?.bytesDone ?? 0),
    0,
  );
}

function isoOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function messageOf(status: z.infer<typeof veleroStatusSchema>): string | null {
  if (!status) return null;
  if (status.failureReason) return status.failureReason;
  if (status.validationErrors?.length) return status.validationErrors.join('; ');
  if (status.errors || status.warnings)
    return `${status.errors ?? 0} error(s), ${status.warnings ?? 0} warning(s)`;
  return null;
}

/**
 * A Velero object's status in the row's terms; an object Velero has not picked up yet is `New`. A
 * finished backup carries its stats (items from status.progress; `volumeBytes` from its
 * PodVolumeBackups when the caller read them).
 */
export function liveJobStatus(kind: JobKind, name: string, live: LiveObject, volumeBytes = 0): JobStatus {
  const status = veleroStatusSchema.parse(live.status);
  const phase = status?.phase || 'New';
  const base = {
    kind,
    name,
    phase,
    message: messageOf(status),
    startedAt: isoOrNull(status?.startTimestamp),
    completedAt: isoOrNull(status?.completionTimestamp),
  };
  if (kind !== 'backup' || !TERMINAL_PHASES.has(phase)) return base;
  const stats: BackupStats = {
    itemsBackedUp: status?.progress?.itemsBackedUp ?? 0,
    totalItems: status?.progress?.totalItems ?? 0,
    volumeBytes,
    warnings: status?.warnings ?? 0,
    errors: status?.errors ?? 0,
  };
  return { ...base, stats };
}

function sameStatus(row: JobRow, status: JobStatus): boolean {
  return (
    JSON.stringify(row.stats ?? null) === JSON.stringify(status.stats ?? null) &&
    row.phase === status.phase &&
    row.message === status.message &&
    row.startedAt === status.startedAt &&
    row.completedAt === status.completedAt
  );
}

export interface ObservedJobs {
  backups: LiveObject[];
  restores: LiveObject[];
  /** Pod volume bytes per finished Backup (Velero object name), read from its PodVolumeBackups. */
  volumeBytes?: ReadonlyMap<string, number>;
}

/**
 * The row updates a pass writes: rows whose object reports something new; rows Velero had seen whose
 * object is gone (deleted at its TTL) become `Deleted`; backups made by the customer's Schedule get a
 * row, so the customer sees and can restore them. Nothing when rows already say what Velero says.
 */
export function planJobStatuses(
  customerId: number,
  rows: JobRow[],
  observed: ObservedJobs,
  schedule: string,
): JobStatus[] {
  const restores = new Map(observed.restores.map((o) => [o.metadata.name, o]));
  // A backup is its newest attempt (retries of a failed volume part: domain/backup/retry.ts).
  const attempts = backupAttempts(observed.backups);
  const updates: JobStatus[] = [];
  for (const row of rows) {
    const name = veleroObjectName(customerId, row.name);
    const attempt = row.kind === 'backup' ? currentAttempt(attempts, name) : undefined;
    const object = row.kind === 'backup' ? attempt?.object : restores.get(name);
    const bytes = object ? observed.volumeBytes?.get(object.metadata.name) : undefined;
    const status = object
      ? attemptStatus(liveJobStatus(row.kind, row.name, object, bytes), attempt?.attempt ?? 1)
      : row.phase === 'New' || row.phase === 'Deleted'
        ? null
        : { ...rowStatus(row), phase: 'Deleted', message: 'removed from the backup storage' };
    if (status && !sameStatus(row, status)) updates.push(status);
  }
  const known = new Set(
    rows.filter((r) => r.kind === 'backup').map((r) => veleroObjectName(customerId, r.name)),
  );
  for (const backup of observed.backups) {
    const fromSchedule = backup.metadata.labels?.[SCHEDULE_NAME_LABEL] === schedule;
    const retry = Boolean(backup.metadata.annotations?.[RETRY_OF_ANNOTATION]);
    if (!fromSchedule || retry || known.has(backup.metadata.name) || backup.metadata.deletionTimestamp)
      continue;
    const current = currentAttempt(attempts, backup.metadata.name) ?? { object: backup, attempt: 1 };
    updates.push(
      attemptStatus(
        liveJobStatus(
          'backup',
          backup.metadata.name,
          current.object,
          observed.volumeBytes?.get(current.object.metadata.name),
        ),
        current.attempt,
      ),
    );
  }
  return updates.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

/** A retry's status says which attempt it is (the row keeps the first attempt's name). */
function attemptStatus(status: JobStatus, attempt: number): JobStatus {
  if (attempt <= 1) return status;
  const label = `attempt ${attempt}`;
  return { ...status, message: status.message ? `${label}: ${status.message}` : label };
}

function rowStatus(row: JobRow): JobStatus {
  const { kind, name, phase, message, startedAt, completedAt, stats } = row;
  return { kind, name, phase, message, startedAt, completedAt, ...(stats !== undefined ? { stats } : {}) };
}

export interface BackupPlan {
  /** Schedule when missing, changed or drifted; Backups and Restores only when missing (create once). */
  apply: KubeObject[];
  /** The customer's Schedules no longer desired (all of them when the customer is deleted). */
  deleteSchedules: LiveObject[];
}

export function planBackupChanges(
  desired: { schedule: KubeObject | null; jobs: KubeObject[] },
  observed: { schedules: LiveObject[] } & ObservedJobs,
): BackupPlan {
  const schedules = new Map(observed.schedules.map((o) => [o.metadata.name, o]));
  const apply: KubeObject[] = [];
  const { schedule } = desired;
  if (schedule && applyReason(schedule, schedules.get(schedule.metadata.name))) apply.push(schedule);
  const existing = new Set(
    [...observed.backups, ...observed.restores].map((o) => `${o.kind}/${o.metadata.name}`),
  );
  for (const job of desired.jobs) if (!existing.has(`${job.kind}/${job.metadata.name}`)) apply.push(job);
  const deleteSchedules = observed.schedules.filter(
    (o) => o.metadata.name !== schedule?.metadata.name && !o.metadata.deletionTimestamp,
  );
  return { apply, deleteSchedules };
}
