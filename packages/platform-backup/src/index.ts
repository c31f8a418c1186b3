export { type DatabaseTarget, parseDatabaseUrl } from './database-url.ts';
export {
  backupId,
  backupsInListing,
  DATABASE_SOURCES,
  type DatabaseSource,
  expiredBackups,
  manifestKey,
  PLATFORM_SOURCES,
  type PlatformBackupManifest,
  type PlatformSource,
} from './plan.ts';
export {
  backupPlatform,
  type DatabaseTools,
  type DirectoryTools,
  databaseTools,
  directoryTools,
  listPlatformBackups,
  type PlatformBackupDeps,
  type PlatformBackupResult,
  readManifest,
  restorePlatform,
} from './run.ts';
