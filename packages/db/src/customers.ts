// Customers and plans: the queries of the customer and plan routes and of the mutation wrapper.
import { type Kysely, sql, type Transaction } from 'kysely';
import { preparedRead } from './prepared.ts';
import type { ConditionRecord, CustomerRecord, PanelDatabase, PlanRecord } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface CustomerPageQuery {
  /** Keyset cursor: only ids after this one. */
  after: number;
  limit: number;
  /** Only this customer (a customer user sees its own row). */
  onlyId?: number;
  /** An ILIKE pattern matched on name or email. */
  namePattern?: string;
}

/** A page of visible customers (one more than `limit`, to tell if a next page exists). */
export function pageCustomers(db: Db, query: CustomerPageQuery): Promise<CustomerRecord[]> {
  let q = db
    .selectFrom('customers')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('id', '>', query.after);
  if (query.onlyId !== undefined) q = q.where('id', '=', query.onlyId);
  const pattern = query.namePattern;
  if (pattern !== undefined)
    q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern)]));
  return q
    .orderBy('id')
    .limit(query.limit + 1)
    .execute();
}

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

/** A visible customer (not gone). */
export function findVisibleCustomer(db: Db, id: number): Promise<CustomerRecord | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

interface ConditionJson
  extends Omit<ConditionRecord, 'last_transition_time' | 'next_attempt_at' | 'updated_at'> {
  last_transition_time: string;
  next_attempt_at: string | null;
  updated_at: string;
}

/** A visible customer and its conditions in one query, prepared: GET /customers/{id} is the API's hottest read. */
const customerWithConditionsRead = preparedRead('hostplane_customer_with_conditions', (db, id: number) =>
  db
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
    .where('deleted_at', 'is', null),
);

export async function findCustomerWithConditions(
  db: Db,
  id: number,
): Promise<{ customer: CustomerRecord; conditions: ConditionRecord[] } | undefined> {
  const [row] = await customerWithConditionsRead(db, id);
  if (!row) return undefined;
  const { conditions, ...customer } = row;
  return {
    customer,
    conditions: conditions.map((c) => ({
      ...c,
      last_transition_time: new Date(c.last_transition_time),
      next_attempt_at: c.next_attempt_at ? new Date(c.next_attempt_at) : null,
      updated_at: new Date(c.updated_at),
    })),
  };
}

export function insertCustomer(
  trx: Db,
  customer: { name: string; email: string; planId: number },
): Promise<CustomerRecord> {
  return trx
    .insertInto('customers')
    .values({ name: customer.name, email: customer.email, plan_id: customer.planId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface CustomerChanges {
  planId?: number | undefined;
  suspended?: boolean | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

/** Sets the given fields (undefined ones are left as they are). */
export function updateCustomer(trx: Db, id: number, changes: CustomerChanges): Promise<CustomerRecord> {
  return trx
    .updateTable('customers')
    .set({
      plan_id: changes.planId,
      suspended: changes.suspended,
      name: changes.name,
      email: changes.email,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markCustomerDeleting(trx: Db, id: number): Promise<void> {
  await trx.updateTable('customers').set({ deleting: true }).where('id', '=', id).execute();
}

/**
 * Locks a visible customer's row for the transaction; with `bump` its generation goes up (its
 * desired state changes). Undefined for an unknown or gone customer.
 */
export function lockCustomer(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  bump: boolean,
): Promise<CustomerRecord | undefined> {
  return bump
    ? trx
        .updateTable('customers')
        .set({ generation: sql`generation + 1`, updated_at: sql`now()` })
        .where('id', '=', customerId)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst()
    : trx
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', customerId)
        .where('deleted_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
}

// --- plans ---

export function pagePlans(db: Db, after: number, limit: number): Promise<PlanRecord[]> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

export async function planExists(db: Db, planId: number): Promise<boolean> {
  const row = await db.selectFrom('plans').select('id').where('id', '=', planId).executeTakeFirst();
  return row !== undefined;
}

export function insertPlan(trx: Db, plan: { name: string; limits: unknown }): Promise<PlanRecord> {
  return trx
    .insertInto('plans')
    .values({ name: plan.name, limits: JSON.stringify(plan.limits) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The plan, its row locked for the transaction. */
export function lockPlan(trx: Transaction<PanelDatabase>, planId: number): Promise<PlanRecord | undefined> {
  return trx.selectFrom('plans').selectAll().where('id', '=', planId).forUpdate().executeTakeFirst();
}

/** Sets the given fields (undefined ones are left as they are). */
export function updatePlan(
  trx: Db,
  planId: number,
  changes: { name?: string | undefined; limits?: unknown },
): Promise<PlanRecord> {
  return trx
    .updateTable('plans')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.limits !== undefined ? { limits: JSON.stringify(changes.limits) } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', planId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Customers on a plan get a new generation (their quotas follow the plan); the update locks them,
 * so a concurrent create cannot slip past the new limits. Returns their ids.
 */
export async function bumpCustomersOnPlan(trx: Db, planId: number): Promise<number[]> {
  const rows = await trx
    .updateTable('customers')
    .set({ generation: sql`generation + 1`, updated_at: sql`now()` })
    .where('plan_id', '=', planId)
    .where('deleted_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
