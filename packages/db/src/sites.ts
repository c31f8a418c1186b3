// A customer's sites: the writes of the site routes (each in the caller's transaction).
import { type Insertable, sql, type Transaction, type Updateable } from 'kysely';
import type { PanelDatabase, SiteRecord, SitesTable } from './schema.ts';

type Trx = Transaction<PanelDatabase>;

export type NewSite = Insertable<SitesTable>;
export type SiteChanges = Pick<
  Updateable<SitesTable>,
  | 'image'
  | 'port'
  | 'domains'
  | 'www'
  | 'replicas'
  | 'database'
  | 'database_password'
  | 'php_version'
  | 'php_settings'
>;

export function insertSite(trx: Trx, site: NewSite): Promise<SiteRecord> {
  return trx.insertInto('sites').values(site).returningAll().executeTakeFirstOrThrow();
}

export function updateSite(trx: Trx, id: number, changes: SiteChanges): Promise<SiteRecord> {
  return trx
    .updateTable('sites')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSite(trx: Trx, id: number): Promise<void> {
  await trx.deleteFrom('sites').where('id', '=', id).execute();
}

/** The customer's domains as the host rules see them (name, verified or not). */
export async function customerDomainClaims(
  trx: Trx,
  customerId: number,
): Promise<{ name: string; verified: boolean }[]> {
  const rows = await trx
    .selectFrom('domains')
    .select(['name', 'verification_state'])
    .where('customer_id', '=', customerId)
    .execute();
  return rows.map((d) => ({ name: d.name, verified: d.verification_state === 'Verified' }));
}
