import {
  type CustomerRecord,
  conditionsOf,
  findCustomerWithConditions,
  findVisibleCustomer,
  type PanelDatabase,
} from '@hostplane/db';
import type { Kysely, Transaction } from 'kysely';
import { NotFoundError } from '../errors.ts';
import { presentCustomer } from '../present.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export { conditionsOf };

/** A visible customer (not gone); 404 otherwise. Access to it was checked by the route's config. */
export async function findCustomer(db: Db, id: number): Promise<CustomerRecord> {
  const row = await findVisibleCustomer(db, id);
  if (!row) throw new NotFoundError(`customer ${id}`);
  return row;
}

export async function customerAnswer(db: Db, row: CustomerRecord) {
  const conditions = await conditionsOf(db, [row.id]);
  return presentCustomer(row, conditions.get(row.id) ?? []);
}

/** GET /customers/{id} in one query (the customer and its conditions): the API's hottest read. */
export async function readCustomer(db: Db, id: number) {
  const found = await findCustomerWithConditions(db, id);
  if (!found) throw new NotFoundError(`customer ${id}`);
  return presentCustomer(found.customer, found.conditions);
}
