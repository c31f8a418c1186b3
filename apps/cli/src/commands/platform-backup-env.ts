import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import {
  type DatabaseTarget,
  PLATFORM_SOURCES,
  type PlatformBackupDeps,
  type PlatformSource,
  parseDatabaseUrl,
} from '@hostplane/platform-backup';
import pino from 'pino';
import { z } from 'zod';

// What `backup-platform` and `restore-platform` read: the S3_* variables of the bucket, and one URL per
// database: DATABASE_URL (the panel's PostgreSQL), MAIL_DATABASE_URL, PDNS_DATABASE_URL. A database
// without its variable is left out (and said so).

const VARIABLES: Record<PlatformSource, string> = {
  panel: 'DATABASE_URL',
  mail: 'MAIL_DATABASE_URL',
  pdns: 'PDNS_DATABASE_URL',
};

export const prefixSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, '--prefix must be a key prefix like platform');

export function platformBackupDeps(env: NodeJS.ProcessEnv, prefix: string): PlatformBackupDeps {
  const databases: Partial<Record<PlatformSource, DatabaseTarget>> = {};
  for (const source of PLATFORM_SOURCES) {
    const url = env[VARIABLES[source]];
    if (!url) continue;
    try {
      databases[source] = parseDatabaseUrl(url);
    } catch (error) {
      throw new Error(`${VARIABLES[source]}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const logger = pino({ level: env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  return {
    store: new S3ObjectStore(objectStoreSettingsFromEnv(env)),
    databases,
    prefix: prefixSchema.parse(prefix),
    logger,
  };
}

export function describeSources(deps: PlatformBackupDeps): string {
  return PLATFORM_SOURCES.map(
    (s) => `${s}: ${deps.databases[s] ? 'yes' : `no (${VARIABLES[s]} unset)`}`,
  ).join(', ');
}
