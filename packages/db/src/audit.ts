// The audit log and the Idempotency-Key ledger: rows every mutation of the API writes.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { AuditLogTable, PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Omit<Insertable<AuditLogTable>, 'id' | 'created_at'>;

export async function insertAuditRow(trx: Db, row: NewAuditRow): Promise<void> {
  await trx.insertInto('audit_log').values(row).execute();
}

export interface AuditPageQuery {
  after: number;
  limit: number;
  customerId?: number | undefined;
  action?: string | undefined;
}

/** One page of audit entries, oldest first (keyset on id; one more than `limit`). */
export function pageAuditRows(db: Db, query: AuditPageQuery): Promise<AuditRow[]> {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .where('id', '>', query.after)
    .orderBy('id')
    .limit(query.limit + 1);
  if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  return q.execute();
}

// --- Idempotency-Key ---

export interface IdempotencyKeyRow {
  userId: number;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/**
 * Inserts the key; false when the user already used it. The insert waits on a concurrent first use
 * of the key until that transaction ends (the unique index), so two racing retries cannot both claim.
 */
export async function insertIdempotencyKey(
  trx: Transaction<PanelDatabase>,
  row: IdempotencyKeyRow,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({
      user_id: row.userId,
      key: row.key,
      method: row.method,
      path: row.path,
      request_hash: row.requestHash,
    })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findIdempotencyKey(
  trx: Db,
  userId: number,
  key: string,
): Promise<{ request_hash: string; response_status: number | null; response_body: unknown }> {
  return trx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
}

/** Stores the answer (already sealed by the caller) for replays of the key. */
export async function storeIdempotencyAnswer(
  trx: Db,
  userId: number,
  key: string,
  status: number,
  sealedBody: string,
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: sealedBody })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .execute();
}
