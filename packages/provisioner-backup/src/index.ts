export { type BackupTargetSettings, backupTargetFromSettings } from './compose.ts';
export { backupOutcome, deletedOutcome } from './outcome.ts';
export type { BackupJobLedger, JobKind, JobRow, JobStatus } from './port.ts';
export { type BackupSettings, type BackupSettingsInput, backupSettingsSchema } from './settings.ts';
export {
  type BackupPlan,
  liveJobStatus,
  planBackupChanges,
  planJobStatuses,
  TERMINAL_PHASES,
} from './status.ts';
export { type BackupTargetDeps, createBackupTarget } from './target.ts';
