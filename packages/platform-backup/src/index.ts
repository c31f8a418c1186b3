export { type DatabaseTarget, parseDatabaseUrl } from './database-url.ts';
export {
  backupId,
  backupsInListing,
  expiredBackups,
  manifestKey,
  PLATFORM_SOURCES,
  type PlatformBackupManifest,
  type PlatformSource,
} from './plan.ts';
export {
  backupPlatform,
  type DatabaseTools,
  databaseTools,
  listPlatformBackups,
  type PlatformBackupDeps,
  type PlatformBackupResult,
  readManifest,
  restorePlatform,
} from './run.ts';
