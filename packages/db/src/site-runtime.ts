// Queries of issue 16's rows: customer databases and their users, the customer's database server,
// sites' cron jobs. Named functions; the API's routes and the snapshot call them.
import type { CronJobRow, CustomerDatabaseRow, PhpSettings, SiteRow } from '@hostplane/domain';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PanelDatabase, SiteRecord } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The snapshot's part: databases with their users, the server's sealed root password, cron jobs by site id. */
export async function loadSiteRuntimeRows(db: Db, customerId: number) {
  const [server, databases, users, cronJobs] = await Promise.all([
    db
      .selectFrom('customer_database_servers')
      .select('root_password')
      .where('customer_id', '=', customerId)
      .executeTakeFirst(),
    db.selectFrom('customer_databases').selectAll().where('customer_id', '=', customerId).execute(),
    db.selectFrom('customer_database_users').selectAll().where('customer_id', '=', customerId).execute(),
    db.selectFrom('site_cronjobs').selectAll().where('customer_id', '=', customerId).execute(),
  ]);
  const rows: CustomerDatabaseRow[] = databases
    .map((d) => ({
      name: d.name,
      sites: [...d.sites].sort(),
      users: users
        .filter((u) => u.database_id === d.id)
        .map((u) => ({ name: u.name, password: u.password, owner: u.owner }))
        .sort(byName),
    }))
    .sort(byName);
  const jobs = new Map<number, CronJobRow[]>();
  for (const c of [...cronJobs].sort(byName)) {
    const list = jobs.get(c.site_id) ?? [];
    list.push({
      name: c.name,
      schedule: c.schedule,
      command: c.command,
      timeZone: c.time_zone,
      suspended: c.suspended,
      concurrencyPolicy: c.concurrency_policy,
    });
    jobs.set(c.site_id, list);
  }
  return {
    databases: rows,
    databaseServer: server ? { rootPassword: server.root_password } : null,
    cronJobs: jobs,
  };
}

/** A sites row in the domain's terms, with its cron jobs (loadSiteRuntimeRows' `cronJobs`). */
export function siteRowOf(s: SiteRecord, cronJobs: ReadonlyMap<number, CronJobRow[]>): Required<SiteRow> {
  return {
    name: s.name,
    template: s.template,
    image: s.image,
    port: s.port,
    domains: [...s.domains],
    www: s.www,
    replicas: s.replicas,
    database: s.database,
    databasePassword: s.database_password,
    phpVersion: s.php_version,
    phpSettings: (s.php_settings as PhpSettings | null) ?? null,
    cronJobs: cronJobs.get(s.id) ?? [],
  };
}

/** Databases of one customer: the plan's `databases` limit counts these and sites' own databases. */
export async function countCustomerDatabases(db: Db, customerId: number): Promise<number> {
  const row = await db
    .selectFrom('customer_databases')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The customer's MariaDB root password is made once, with its first database (sealed by the caller). */
export async function ensureDatabaseServer(db: Db, customerId: number, sealedRootPassword: string) {
  await db
    .insertInto('customer_database_servers')
    .values({ customer_id: customerId, root_password: sealedRootPassword })
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .execute();
}

/** The customer's databases by name. */
export function listCustomerDatabases(db: Db, customerId: number) {
  return db
    .selectFrom('customer_databases')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('name')
    .execute();
}

export function findCustomerDatabase(db: Db, customerId: number, name: string) {
  return db
    .selectFrom('customer_databases')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function listDatabaseUsers(db: Db, customerId: number, databaseIds: number[]) {
  if (databaseIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('customer_database_users')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('database_id', 'in', databaseIds)
    .orderBy('name')
    .execute();
}

export function insertCustomerDatabase(db: Db, customerId: number, name: string, sites: string[]) {
  return db
    .insertInto('customer_databases')
    .values({ customer_id: customerId, name, sites })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateCustomerDatabaseSites(db: Db, id: number, sites: string[]) {
  return db
    .updateTable('customer_databases')
    .set({ sites, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteCustomerDatabase(db: Db, id: number): Promise<void> {
  await db.deleteFrom('customer_databases').where('id', '=', id).execute();
}

export function insertDatabaseUser(
  db: Db,
  row: { customerId: number; databaseId: number; name: string; sealedPassword: string; owner: boolean },
) {
  return db
    .insertInto('customer_database_users')
    .values({
      customer_id: row.customerId,
      database_id: row.databaseId,
      name: row.name,
      password: row.sealedPassword,
      owner: row.owner,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findDatabaseUser(db: Db, customerId: number, databaseId: number, name: string) {
  return db
    .selectFrom('customer_database_users')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('database_id', '=', databaseId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function setDatabaseUserPassword(db: Db, id: number, sealedPassword: string) {
  return db
    .updateTable('customer_database_users')
    .set({ password: sealedPassword, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteDatabaseUser(db: Db, id: number): Promise<void> {
  await db.deleteFrom('customer_database_users').where('id', '=', id).execute();
}

/** Whether a user name is taken anywhere on the customer's server (names are server-wide in MariaDB). */
export async function databaseUserNameTaken(db: Db, customerId: number, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('customer_database_users')
    .select('id')
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row !== undefined;
}

/** Names of a customer's sites (to check attachments). */
export async function siteNamesOf(db: Db, customerId: number): Promise<string[]> {
  const rows = await db.selectFrom('sites').select('name').where('customer_id', '=', customerId).execute();
  return rows.map((r) => r.name);
}

export function listSiteCronJobs(db: Db, siteId: number) {
  return db.selectFrom('site_cronjobs').selectAll().where('site_id', '=', siteId).orderBy('name').execute();
}

export function findSiteCronJob(db: Db, siteId: number, name: string) {
  return db
    .selectFrom('site_cronjobs')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function insertSiteCronJob(
  db: Db,
  row: {
    customerId: number;
    siteId: number;
    name: string;
    schedule: string;
    command: string;
    timeZone: string | null;
    suspended: boolean;
    concurrencyPolicy: 'Forbid' | 'Allow' | 'Replace';
  },
) {
  return db
    .insertInto('site_cronjobs')
    .values({
      customer_id: row.customerId,
      site_id: row.siteId,
      name: row.name,
      schedule: row.schedule,
      command: row.command,
      time_zone: row.timeZone,
      suspended: row.suspended,
      concurrency_policy: row.concurrencyPolicy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateSiteCronJob(
  db: Db,
  id: number,
  change: {
    schedule?: string | undefined;
    command?: string | undefined;
    timeZone?: string | null | undefined;
    suspended?: boolean | undefined;
    concurrencyPolicy?: 'Forbid' | 'Allow' | 'Replace' | undefined;
  },
) {
  return db
    .updateTable('site_cronjobs')
    .set({
      schedule: change.schedule,
      command: change.command,
      time_zone: change.timeZone,
      suspended: change.suspended,
      concurrency_policy: change.concurrencyPolicy,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSiteCronJob(db: Db, id: number): Promise<void> {
  await db.deleteFrom('site_cronjobs').where('id', '=', id).execute();
}
