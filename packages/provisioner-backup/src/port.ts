// The panel's backups and restores rows, as the backup target reads and updates them. Implemented
// over PostgreSQL by @hostplane/db (backupJobLedger); the target never imports the database driver.

export type JobKind = 'backup' | 'restore';

/** Items and bytes of a finished backup as Velero reports them (status.progress, PodVolumeBackups). */
export interface BackupStats {
  itemsBackedUp: number;
  totalItems: number;
  /** Pod volume data moved by the node agent (Kopia): the sum of the backup's PodVolumeBackups. */
  volumeBytes: number;
  warnings: number;
  errors: number;
}

/** One row of the backups or restores table (timestamps as ISO strings, null when unknown). */
export interface JobRow {
  kind: JobKind;
  name: string;
  /** Restores only: the backups row (= Velero Backup) restored from. */
  backupName: string | null;
  phase: string;
  message: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Backups only, once Velero has finished with them; absent or null otherwise. */
  stats?: BackupStats | null;
}

/** What Velero reports for one object, to be written on its row (inserted for scheduled backups). */
export interface JobStatus {
  kind: JobKind;
  name: string;
  phase: string;
  message: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Backups only, once Velero has finished with them; absent or null otherwise. */
  stats?: BackupStats | null;
}

export interface BackupJobLedger {
  /** The customer's backups and restores rows, sorted by name. */
  load(customerId: number): Promise<JobRow[]>;
  /** Writes each status on its row; a backup without a row (made by the Schedule) gets one. */
  record(customerId: number, statuses: JobStatus[]): Promise<void>;
}
