import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import {
  DATABASE_SOURCES,
  type DatabaseSource,
  type DatabaseTarget,
  PLATFORM_SOURCES,
  type PlatformBackupDeps,
  type PlatformSource,
  parseDatabaseUrl,
} from '@hostplane/platform-backup';
import pino from 'pino';
import { z } from 'zod';

// What `backup-platform` and `restore-platform` read: the S3_* variables of the bucket, one URL per
// database: DATABASE_URL (the panel's PostgreSQL), MAIL_DATABASE_URL, PDNS_DATABASE_URL, and
// MAILDIR_ROOT, where Dovecot's Maildir volume is mounted. A source without its variable is left out
// (and said so).

const VARIABLES: Record<PlatformSource, string> = {
  panel: 'DATABASE_URL',
  mail: 'MAIL_DATABASE_URL',
  pdns: 'PDNS_DATABASE_URL',
  maildir: 'MAILDIR_ROOT',
};

export const prefixSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, '--prefix must be a key prefix like platform');

export function platformBackupDeps(env: NodeJS.ProcessEnv, prefix: string): PlatformBackupDeps {
  const databases: Partial<Record<DatabaseSource, DatabaseTarget>> = {};
  for (const source of DATABASE_SOURCES) {
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
    maildirs: env.MAILDIR_ROOT || undefined,
    prefix: prefixSchema.parse(prefix),
    logger,
  };
}

export function describeSources(deps: PlatformBackupDeps): string {
  return PLATFORM_SOURCES.map(
    (s) =>
      `${s}: ${(s === 'maildir' ? deps.maildirs : deps.databases[s]) ? 'yes' : `no (${VARIABLES[s]} unset)`}`,
  ).join(', ');
}
