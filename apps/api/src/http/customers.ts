import type { ConditionRecord, CustomerRecord, PanelDatabase } from '@hostplane/db';
import { type Kysely, sql, type Transaction } from 'kysely';
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

interface ConditionJson
  extends Omit<ConditionRecord, 'last_transition_time' | 'next_attempt_at' | 'updated_at'> {
  last_transition_time: string;
  next_attempt_at: string | null;
  updated_at: string;
}

/** GET /customers/{id} in one query (the customer and its conditions): the API's hottest read. */
export async function readCustomer(db: Db, id: number) {
  const row = await db
    .selectFrom('customers')
    .selectAll('customers')
    .select(
      sql<
        ConditionJson[]
      >`coalesce((select json_agg(c) from customer_conditions c where c.customer_id = customers.id), '[]')`.as(
        'conditions',
      ),
    )
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`customer ${id}`);
  const { conditions, ...customer } = row;
  return presentCustomer(
    customer,
    conditions.map((c) => ({
      ...c,
      last_transition_time: new Date(c.last_transition_time),
      next_attempt_at: c.next_attempt_at ? new Date(c.next_attempt_at) : null,
      updated_at: new Date(c.updated_at),
    })),
  );
}
