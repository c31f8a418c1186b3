import { Logger, runMigrations } from 'graphile-worker';
import { type Kysely, type Migration, Migrator } from 'kysely';
import type pg from 'pg';
import { createPanelDb, poolOf } from './connect.ts';
import * as core from './migrations/0001_core.ts';
import * as siteStatus from './migrations/0002_site_status.ts';
import * as domainDnsStatus from './migrations/0003_domain_dns_status.ts';
import * as domainVerification from './migrations/0004_domain_verification.ts';
import * as mailboxFilters from './migrations/0011_mailbox_filters.ts';
import * as siteRuntime from './migrations/0012_site_runtime.ts';
import * as sftp from './migrations/0013_sftp.ts';
import * as mailboxSpam from './migrations/0014_mailbox_spam.ts';
import * as backupStats from './migrations/0015_backup_stats.ts';
import * as backupContents from './migrations/0017_backup_contents.ts';
import * as domainWebmail from './migrations/0018_domain_webmail.ts';
import * as dnsAppliedZones from './migrations/0022_dns_applied_zones.ts';
import * as certificateAttempts from './migrations/0031_certificate_attempts.ts';
import type { PanelDatabase } from './schema.ts';

/**
 * The panel's migrations in order. Other rooms add theirs through `extraMigrations` (named `0100_…`),
 * which is why unordered migrations are allowed.
 */
export const panelMigrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_site_status': siteStatus,
  '0003_domain_dns_status': domainDnsStatus,
  '0004_domain_verification': domainVerification,
  '0011_mailbox_filters': mailboxFilters,
  '0012_site_runtime': siteRuntime,
  '0013_sftp': sftp,
  '0014_mailbox_spam': mailboxSpam,
  '0015_backup_stats': backupStats,
  '0017_backup_contents': backupContents,
  '0018_domain_webmail': domainWebmail,
  '0022_dns_applied_zones': dnsAppliedZones,
  '0031_certificate_attempts': certificateAttempts,
};

export interface MigrateOptions {
  /** Needed when `db` was not made by createPanelDb (graphile-worker installs its schema through it). */
  pgPool?: pg.Pool;
  extraMigrations?: Record<string, Migration>;
}

// graphile-worker logs to the console by default; migrations are reported by the caller instead.
const quietLogger = new Logger(() => () => {});

/** Applies the panel schema and graphile-worker's schema; safe to run again and from several processes. */
export async function migratePanelDb(db: Kysely<PanelDatabase>, opts: MigrateOptions = {}): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...panelMigrations, ...opts.extraMigrations }) },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `panel migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const pgPool = opts.pgPool ?? poolOf(db);
  if (!pgPool)
    throw new Error('migratePanelDb: pass opts.pgPool when the handle was not made by createPanelDb');
  await runMigrations({ pgPool, logger: quietLogger });
}

/** createPanelDb + migratePanelDb: what one-shot commands (admin create, token create) need. */
export async function openMigratedPanelDb(url: string): Promise<Kysely<PanelDatabase>> {
  const db = createPanelDb(url, { max: 2 });
  try {
    await migratePanelDb(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}
