// Mailboxes, aliases and a mailbox's filters (autoresponder, forwarding, Sieve, spam): the queries of
// the mail routes. Passwords arrive hashed and filter values serialised; rules stay in the API/domain.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { AliasRecord, MailboxRecord, PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** Whether the customer's domain `name` has mail on (false when it is not the customer's). */
export async function isMailDomainOf(db: Db, customerId: number, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('domains')
    .select('mail')
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.mail === true;
}

/** Whether any customer has a mailbox at `address` (mailbox and alias addresses are one namespace). */
export async function mailboxAddressTaken(db: Db, address: string): Promise<boolean> {
  const row = await db.selectFrom('mailboxes').select('id').where('address', '=', address).executeTakeFirst();
  return row !== undefined;
}

/** Whether any customer has an alias from `source`. */
export async function aliasSourceTaken(db: Db, source: string): Promise<boolean> {
  const row = await db.selectFrom('aliases').select('id').where('source', '=', source).executeTakeFirst();
  return row !== undefined;
}

export interface NewMailboxRow {
  customerId: number;
  address: string;
  passwordHash: string;
  quotaBytes: number;
  enabled: boolean;
}

export function insertMailbox(trx: Db, mailbox: NewMailboxRow): Promise<MailboxRecord> {
  return trx
    .insertInto('mailboxes')
    .values({
      customer_id: mailbox.customerId,
      address: mailbox.address,
      password_hash: mailbox.passwordHash,
      quota_bytes: mailbox.quotaBytes,
      enabled: mailbox.enabled,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sets the given fields (undefined ones are left as they are). */
export function updateMailbox(
  trx: Db,
  id: number,
  changes: {
    passwordHash?: string | undefined;
    quotaBytes?: number | undefined;
    enabled?: boolean | undefined;
  },
): Promise<MailboxRecord> {
  return trx
    .updateTable('mailboxes')
    .set({
      password_hash: changes.passwordHash,
      quota_bytes: changes.quotaBytes,
      enabled: changes.enabled,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteMailbox(trx: Db, id: number): Promise<void> {
  await trx.deleteFrom('mailboxes').where('id', '=', id).execute();
}

/** A mailbox's filter columns (issue 17); values are stored as the API serialised them. */
export type MailboxFilterColumn = 'autoresponder' | 'forwarding' | 'custom_sieve' | 'spam';

/** Sets one filter column of a mailbox; null turns it off. */
export function setMailboxFilter(
  trx: Db,
  id: number,
  column: MailboxFilterColumn,
  stored: string | null,
): Promise<MailboxRecord> {
  return trx
    .updateTable('mailboxes')
    .set({ [column]: stored, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The customer's mailboxes with their quotas, by address. */
export function mailboxQuotasOf(
  db: Db,
  customerId: number,
): Promise<{ address: string; quota_bytes: number }[]> {
  return db
    .selectFrom('mailboxes')
    .select(['address', 'quota_bytes'])
    .where('customer_id', '=', customerId)
    .orderBy('address')
    .execute();
}

/** Inserts an alias; undefined when its source is taken (the unique index decides). */
export function insertAlias(
  trx: Db,
  alias: { customerId: number; source: string; destinations: string[] },
): Promise<AliasRecord | undefined> {
  return trx
    .insertInto('aliases')
    .values({ customer_id: alias.customerId, source: alias.source, destinations: alias.destinations })
    .onConflict((oc) => oc.column('source').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the customer's alias from `source`; undefined when it has none. */
export function deleteAlias(trx: Db, customerId: number, source: string): Promise<AliasRecord | undefined> {
  return trx
    .deleteFrom('aliases')
    .where('customer_id', '=', customerId)
    .where('source', '=', source)
    .returningAll()
    .executeTakeFirst();
}
