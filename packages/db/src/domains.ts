// A customer's domains: the writes of the domain routes (each in the caller's transaction).
import { type Insertable, sql, type Transaction, type Updateable } from 'kysely';
import type { DomainRecord, DomainsTable, PanelDatabase } from './schema.ts';

type Trx = Transaction<PanelDatabase>;

/** Inserts a domain; undefined when the name is taken (the unique index decides, no read first). */
export function insertDomain(trx: Trx, domain: Insertable<DomainsTable>): Promise<DomainRecord | undefined> {
  return trx
    .insertInto('domains')
    .values(domain)
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export type DomainChanges = Pick<
  Updateable<DomainsTable>,
  'dns' | 'mail' | 'dnssec' | 'webmail' | 'dkim_selector' | 'dkim_public_key' | 'dkim_private_key_pem'
>;

export function updateDomain(trx: Trx, id: number, changes: DomainChanges): Promise<DomainRecord> {
  return trx
    .updateTable('domains')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A mailbox of the customer at `domain`, if any (a domain in use is not deleted). */
export async function mailboxAtDomain(
  trx: Trx,
  customerId: number,
  domain: string,
): Promise<{ address: string } | undefined> {
  return trx
    .selectFrom('mailboxes')
    .select('address')
    .where('customer_id', '=', customerId)
    .where('address', 'like', `%@${domain}`)
    .executeTakeFirst();
}

/** Deletes a domain (its records go by cascade) and the customer's aliases at it, catch-all included. */
export async function deleteDomainAndAliases(
  trx: Trx,
  customerId: number,
  domain: { id: number; name: string },
): Promise<void> {
  await trx
    .deleteFrom('aliases')
    .where('customer_id', '=', customerId)
    .where((eb) => eb.or([eb('source', 'like', `%@${domain.name}`), eb('source', '=', `@${domain.name}`)]))
    .execute();
  await trx.deleteFrom('domains').where('id', '=', domain.id).execute();
}
