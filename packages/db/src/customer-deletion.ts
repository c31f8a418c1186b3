import type { Kysely, Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

function customerUsers(db: Db, customerId: number) {
  return db.selectFrom('users').select('id').where('customer_id', '=', customerId);
}

/**
 * The moment a customer is marked for deletion its users lose access: every session and API token
 * of its logins is removed (the login itself is refused while the customer is deleting).
 */
export async function revokeCustomerAccess(db: Db, customerId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', 'in', customerUsers(db, customerId)).execute();
  await db.deleteFrom('api_tokens').where('user_id', 'in', customerUsers(db, customerId)).execute();
}

/**
 * Once every target reported the customer gone: its rows go too, so the names they held (domain,
 * mail addresses, alias sources, the login's email, backup names) can be used again. The customer
 * row stays (deleted_at set) for the audit trail; so do its audit entries.
 */
export async function purgeDeletedCustomerRows(db: Db, customerId: number): Promise<void> {
  // dns_records go with their domains (on delete cascade); sessions, tokens and idempotency keys
  // with their users.
  for (const table of [
    'site_cronjobs',
    'customer_database_users',
    'customer_databases',
    'customer_database_servers',
    'aliases',
    'mailboxes',
    'sites',
    'domains',
    'restores',
    'backups',
    'customer_sftp',
    'dns_applied_zones',
  ] as const) {
    await db.deleteFrom(table).where('customer_id', '=', customerId).execute();
  }
  await db.deleteFrom('users').where('customer_id', '=', customerId).execute();
}
