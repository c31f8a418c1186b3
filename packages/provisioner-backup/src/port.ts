// The panel's backups and restores rows, as the backup target reads and updates them. Implemented
// over PostgreSQL by @hostplane/db (backupJobLedger); the target never imports the database driver.

import type { BackupStats, JobKind, JobRow } from '@hostplane/domain';

export type { BackupStats, JobKind, JobRow };

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
  /** Backups only: mailboxes exported with it on this write (recorded in its contents). */
  mailboxes?: string[];
  /** Backups only: DNS zones exported with it on this write (recorded in its contents). */
  zones?: string[];
}

export interface BackupJobLedger {
  /** The customer's backups and restores rows, sorted by name. */
  load(customerId: number): Promise<JobRow[]>;
  /** Writes each status on its row; a backup without a row (made by the Schedule) gets one. */
  record(customerId: number, statuses: JobStatus[]): Promise<void>;
}
