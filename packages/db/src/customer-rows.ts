// The rows that belong to exactly one customer (sites, domains, mailboxes, aliases, backups…): one
// page of them, and one by its natural key. Routes of every such resource call these two.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** Tables whose rows belong to exactly one customer and page by their serial id. */
export type CustomerOwnedTable = {
  [K in keyof PanelDatabase]: PanelDatabase[K] extends { id: Generated<number>; customer_id: number }
    ? K
    : never;
}[keyof PanelDatabase];

export interface CustomerRowsPage<T extends CustomerOwnedTable> {
  /** Rows with an id above this (keyset pagination; 0 for the first page). */
  afterId: number;
  /** Rows fetched: the caller asks one more than it shows to know whether a next page exists. */
  limit: number;
  /** A case-insensitive ILIKE on one column (the caller escapes the pattern). */
  search?: { column: keyof PanelDatabase[T] & string; pattern: string };
}

/** One page of a customer's rows of `table`, oldest first. */
export async function pageCustomerRows<T extends CustomerOwnedTable>(
  db: Db,
  table: T,
  customerId: number,
  page: CustomerRowsPage<T>,
): Promise<(Selectable<PanelDatabase[T]> & { id: number })[]> {
  // Kysely cannot resolve columns of a generic table name, so the query is built over the union of
  // the customer-owned tables; selectAll() of `table` is exactly Selectable<PanelDatabase[T]>.
  let query = db
    .selectFrom(table as CustomerOwnedTable)
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('id', '>', page.afterId);
  if (page.search) query = query.where(db.dynamic.ref(page.search.column), 'ilike', page.search.pattern);
  return (await query.orderBy('id').limit(page.limit).execute()) as (Selectable<PanelDatabase[T]> & {
    id: number;
  })[];
}

/** One of the customer's rows of `table` by a natural key (a name, an address); undefined if none. */
export async function findCustomerRow<T extends CustomerOwnedTable>(
  db: Db,
  table: T,
  customerId: number,
  column: keyof PanelDatabase[T] & string,
  value: string,
): Promise<Selectable<PanelDatabase[T]> | undefined> {
  // A generic table name is queried as the union of the customer-owned tables, the key column through
  // a dynamic reference (checked against `table` by the signature).
  const row = await db
    .selectFrom(table as CustomerOwnedTable)
    .selectAll()
    .where('customer_id', '=', customerId)
    .where(db.dynamic.ref(column), '=', value)
    .executeTakeFirst();
  return row as Selectable<PanelDatabase[T]> | undefined;
}
