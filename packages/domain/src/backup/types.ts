// The panel's backups and restores as the backup desired state reads them.

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
  /** Restores only: the sites asked for (null or absent: the whole backup). */
  sites?: string[] | null;
  /** Restores only: the sites the restored backup holds (null or absent: not recorded). */
  backupSites?: string[] | null;
  /** Restores only: the mailboxes exported with the restored backup. */
  backupMailboxes?: string[] | null;
  /** Restores only: the DNS zones exported with the restored backup. */
  backupZones?: string[] | null;
  /** Backups only: what it holds is recorded (then its mail was exported, when there is an archive). */
  contentsRecorded?: boolean;
}

/** Where and when a customer's backups run (the platform config's `backup` section, validated by the backup room). */
export interface BackupSettings {
  /** Velero's namespace: Schedules, Backups and Restores live there, never in the tenant's. */
  namespace: string;
  /** Name of the Velero BackupStorageLocation (S3) the backups go to. */
  storageLocation: string;
  /** ConfigMap in `namespace` with Velero's volume policy for tenant backups (scratch emptyDirs skipped); null: none. */
  volumePolicy: string | null;
  /** First hour (UTC) of the nightly window; customers are spread over `windowHours` hours by id. */
  windowStartHour: number;
  windowHours: number;
}
