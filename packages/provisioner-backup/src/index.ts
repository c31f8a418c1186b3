export { type BackupTargetSettings, backupTargetFromSettings } from './compose.ts';
export {
  type DnsArchive,
  ZoneArchive,
  type ZoneArchiveOptions,
  type ZoneKeyStore,
  type ZoneRestoreResult,
  type ZoneRowLedger,
} from './dns-archive.ts';
export {
  type ArchiveStore,
  DoveadmMailArchive,
  type DoveadmMailArchiveOptions,
  type MailArchive,
} from './mail-archive.ts';
export { type BackupFailure, backupOutcome, deletedOutcome } from './outcome.ts';
export type { BackupJobLedger, BackupStats, JobKind, JobRow, JobStatus } from './port.ts';
export { clearForRestore } from './restore-room.ts';
export { type BackupSettings, type BackupSettingsInput, backupSettingsSchema } from './settings.ts';
export {
  type BackupPlan,
  liveJobStatus,
  planBackupChanges,
  planJobStatuses,
  podVolumeBytes,
  TERMINAL_PHASES,
} from './status.ts';
export { type BackupTargetDeps, createBackupTarget } from './target.ts';
