import type { KubeObject } from '@hostplane/domain';
import type { LiveObject } from '@hostplane/provisioner-k8s';
import type { TargetOutcome } from '@hostplane/reconcile';
import type { JobRow, JobStatus } from './port.ts';
import { FAILED_PHASES, TERMINAL_PHASES } from './status.ts';

/** What failed in a pass: a Velero object's write, or the mail or DNS part of a backup or restore. */
export interface BackupFailure {
  part: 'apply' | 'mail' | 'dns' | 'volume';
  message: string;
}

const REASONS: Record<BackupFailure['part'], string> = {
  apply: 'ApplyFailed',
  mail: 'MailPartFailed',
  dns: 'DnsPartFailed',
  volume: 'VolumePartFailed',
};

/** Rows as they are after this pass's updates. */
function currentRows(rows: JobRow[], statuses: JobStatus[]): JobRow[] {
  const updated = new Map(statuses.map((s) => [`${s.kind}/${s.name}`, s]));
  const merged = rows.map((row) => ({ ...row, ...updated.get(`${row.kind}/${row.name}`) }));
  const added = statuses
    .filter((s) => !rows.some((r) => r.kind === s.kind && r.name === s.name))
    .map((s) => ({ ...s, backupName: null }));
  return [...merged, ...added];
}

function latestBackup(rows: JobRow[]): JobRow | undefined {
  return rows
    .filter((r) => r.kind === 'backup' && r.phase !== 'Deleted' && TERMINAL_PHASES.has(r.phase))
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.name.localeCompare(b.name))
    .at(-1);
}

/**
 * The Backup condition: False when a write failed, the mail or DNS part of a backup or restore failed
 * (reason MailPartFailed / DnsPartFailed: the backup's status is held back and the part retried) or the
 * latest finished backup failed; True otherwise,
 * with requeue while Velero still works on a Backup or Restore, so its progress reaches the rows soon.
 */
export function backupOutcome(input: {
  schedule: KubeObject;
  rows: JobRow[];
  statuses: JobStatus[];
  failures: BackupFailure[];
  changes: number;
  /** A failed backup waits for its retry (the node agent is not running): come back soon. */
  retryPending?: boolean;
}): TargetOutcome {
  const { failures, changes } = input;
  const rows = currentRows(input.rows, input.statuses);
  const running = rows.filter((r) => !TERMINAL_PHASES.has(r.phase));
  const first = failures[0];
  // A failure with a job still running (the retry this pass made, attempt 2, runs while the condition
  // names attempt 1's failed part) comes back soon too: else its progress waited for the resync.
  if (first)
    return {
      status: 'False',
      reason: REASONS[first.part],
      message: failures.map((f) => f.message).join('; '),
      changes,
      ...(running.length > 0 || input.retryPending ? { requeue: true } : {}),
    };
  const spec = input.schedule.spec as { schedule: string; template: { ttl: string } };
  const latest = latestBackup(rows);
  if (latest && FAILED_PHASES.has(latest.phase)) {
    const why = latest.message ? `: ${latest.message}` : '';
    return {
      status: 'False',
      reason: 'BackupFailed',
      message: `backup ${latest.name} ${latest.phase}${why}`,
      changes,
      requeue: running.length > 0 || Boolean(input.retryPending),
    };
  }
  const last = latest ? `, last ${latest.name} ${latest.phase}` : ', no backup finished yet';
  const busy = running.length > 0 ? `, ${running.length} in progress` : '';
  return {
    status: 'True',
    reason: running.length > 0 ? 'InProgress' : 'Scheduled',
    message: `daily (cron ${spec.schedule} UTC), kept ${spec.template.ttl}${last}${busy}`,
    changes,
    requeue: running.length > 0 || Boolean(input.retryPending),
  };
}

/** After deletion: the Schedule is gone; backups stay until Velero expires them. */
export function deletedOutcome(backups: LiveObject[], changes: number): TargetOutcome {
  const kept = backups.filter((b) => !b.metadata.deletionTimestamp).length;
  return {
    status: 'True',
    reason: 'Deleted',
    message: `schedule removed; ${kept} backup(s) kept until their retention ends`,
    changes,
  };
}
