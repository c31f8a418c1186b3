import type { ConditionRecord, CustomerRecord, PanelDatabase } from '@hostplane/db';
import type { Kysely, Transaction } from 'kysely';
import { NotFoundError } from '../errors.ts';
import { presentCustomer } from '../present.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** Conditions of many customers in one query, grouped by customer. */
export async function conditionsOf(db: Db, ids: number[]): Promise<Map<number, ConditionRecord[]>> {
  const byCustomer = new Map<number, ConditionRecord[]>();
  if (ids.length === 0) return byCustomer;
  const rows = await db
    .selectFrom('customer_conditions')
    .selectAll()
    .where('customer_id', 'in', ids)
    .execute();
  for (const row of rows) byCustomer.set(row.customer_id, [...(byCustomer.get(row.customer_id) ?? []), row]);
  return byCustomer;
}

/** A visible customer (not gone); 404 otherwise. Access to it was checked by the route's config. */
export async function findCustomer(db: Db, id: number): Promise<CustomerRecord> {
  const row = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`customer ${id}`);
  return row;
}

export async function customerAnswer(db: Db, row: CustomerRecord) {
  const conditions = await conditionsOf(db, [row.id]);
  return presentCustomer(row, conditions.get(row.id) ?? []);
}
