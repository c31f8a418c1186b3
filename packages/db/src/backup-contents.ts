// What a backup holds in the panel's terms (issue 15): the customer's site rows as they were when Velero
// took the backup, recorded on the backups row; and the re-creation of the rows a restore brings back.
// Passwords are copied sealed, as they sit in `sites`.
import {
  type BackupContents,
  backupContentsSchema,
  type DatabaseCopy,
  parseBackupContents,
  type SiteCopy,
} from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';
import { loadSiteRuntimeRows, siteRowOf } from './site-runtime.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The customer's sites (with their cron jobs) as a backup records them, sorted by name. */
export async function currentBackupContents(db: Db, customerId: number): Promise<BackupContents> {
  const [sites, runtime] = await Promise.all([
    db.selectFrom('sites').selectAll().where('customer_id', '=', customerId).execute(),
    loadSiteRuntimeRows(db, customerId),
  ]);
  // Checked by the schema below (php settings are a record of strings and numbers there).
  const copies = sites.map((s) => siteRowOf(s, runtime.cronJobs)).sort(byName);
  return backupContentsSchema.parse({
    sites: copies,
    databases: runtime.databases,
    databaseServer: runtime.databaseServer,
  });
}

/** One backup of the customer with what it holds (null contents: not recorded). */
export async function findBackupWithContents(
  db: Db,
  customerId: number,
  name: string,
): Promise<{ name: string; phase: string; contents: BackupContents | null } | undefined> {
  const row = await db
    .selectFrom('backups')
    .select(['name', 'phase', 'contents'])
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && { name: row.name, phase: row.phase, contents: parseBackupContents(row.contents) };
}

/** Re-creates site rows (and their cron jobs) from a backup's copies, in the caller's transaction. */
export async function recreateSites(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  copies: readonly SiteCopy[],
): Promise<void> {
  for (const copy of copies) {
    const site = await trx
      .insertInto('sites')
      .values({
        customer_id: customerId,
        name: copy.name,
        template: copy.template,
        image: copy.image,
        port: copy.port,
        domains: copy.domains,
        www: copy.www,
        replicas: copy.replicas,
        database: copy.database,
        database_password: copy.databasePassword,
        php_version: copy.phpVersion,
        php_settings: copy.phpSettings ? JSON.stringify(copy.phpSettings) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const job of copy.cronJobs)
      await trx
        .insertInto('site_cronjobs')
        .values({
          customer_id: customerId,
          site_id: site.id,
          name: job.name,
          schedule: job.schedule,
          command: job.command,
          time_zone: job.timeZone,
          suspended: job.suspended,
          concurrency_policy: job.concurrencyPolicy,
        })
        .execute();
  }
}

/**
 * Re-creates customer databases (and their users, passwords sealed as recorded) from a backup's copies,
 * in the caller's transaction; the server's root password too when its row is gone. The users' names
 * are the customer's: a name taken since by another database makes the insert fail (the transaction
 * writes nothing).
 */
export async function recreateDatabases(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  copies: readonly DatabaseCopy[],
  server: BackupContents['databaseServer'],
): Promise<void> {
  if (copies.length === 0) return;
  if (server)
    await trx
      .insertInto('customer_database_servers')
      .values({ customer_id: customerId, root_password: server.rootPassword })
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .execute();
  for (const copy of copies) {
    const row = await trx
      .insertInto('customer_databases')
      .values({ customer_id: customerId, name: copy.name, sites: copy.sites })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const user of copy.users)
      await trx
        .insertInto('customer_database_users')
        .values({
          customer_id: customerId,
          database_id: row.id,
          name: user.name,
          password: user.password,
          owner: user.owner,
        })
        .execute();
  }
}

/** The names of the customer's own databases (a restore re-creates the backup's others). */
export async function customerDatabaseNamesOf(db: Db, customerId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('customer_databases')
    .select('name')
    .where('customer_id', '=', customerId)
    .execute();
  return rows.map((r) => r.name).sort();
}
