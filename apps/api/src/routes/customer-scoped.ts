import { customerIdParams, pageOf, paginationQuery, searchQuery } from '@hostplane/contracts';
import {
  type CustomerOwnedTable,
  type CustomerRecord,
  findCustomerRow,
  type PanelDatabase,
  pageCustomerRows,
} from '@hostplane/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { mutate } from '../http/mutation.ts';
import { containsPattern, decodeCursor, toPage } from '../http/pagination.ts';
import { answers } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';

/** Route config of everything under /customers/:id: signed-in users, a customer user only its own id. */
export const scoped = { access: 'user', customerScoped: true } as const;

export type { CustomerOwnedTable };

export interface CustomerListSpec<T extends CustomerOwnedTable, S extends z.ZodType> {
  path: string;
  table: T;
  itemSchema: S;
  present: (row: Selectable<PanelDatabase[T]>) => z.infer<S>;
  tags: string[];
  db: Kysely<PanelDatabase>;
  /** Adds live figures to a page's items (e.g. mailbox usage) after the query. */
  decorate?: (items: z.infer<S>[]) => Promise<z.infer<S>[]>;
  /** The column `?q=` filters on (a case-insensitive substring); no `?q=` without it. */
  search?: keyof PanelDatabase[T] & string;
}

/** GET <path>: one page of the customer's rows of `table`, oldest first (keyset on id), 404 for no customer. */
export function registerCustomerList<T extends CustomerOwnedTable, S extends z.ZodType>(
  app: ApiInstance,
  { path, table, itemSchema, present, tags, db, decorate, search }: CustomerListSpec<T, S>,
): void {
  app.get(
    path,
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        querystring: search ? searchQuery : paginationQuery,
        response: answers({ 200: pageOf(itemSchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const q = search ? (req.query as { q?: string }).q : undefined;
      const rows = await pageCustomerRows(db, table, req.params.id, {
        afterId: decodeCursor(req.query.cursor),
        limit: req.query.limit + 1,
        ...(search && q !== undefined ? { search: { column: search, pattern: containsPattern(q) } } : {}),
      });
      const page = toPage(rows, req.query, present);
      return decorate ? { ...page, items: await decorate(page.items) } : page;
    },
  );
}

/**
 * One of the customer's rows of `table` by its natural key (a name, an address); 404 for an unknown
 * customer or row, named `<what> <value>`.
 */
export async function findOwned<T extends CustomerOwnedTable>(
  db: Kysely<PanelDatabase> | Transaction<PanelDatabase>,
  table: T,
  customerId: number,
  key: { column: keyof PanelDatabase[T] & string; value: string; what: string },
): Promise<Selectable<PanelDatabase[T]>> {
  await findCustomer(db, customerId);
  const row = await findCustomerRow(db, table, customerId, key.column, key.value);
  if (!row) throw new NotFoundError(`${key.what} ${key.value}`);
  return row as Selectable<PanelDatabase[T]>;
}

/** What a change to one of a customer's resources answers and writes to the audit log. */
export interface CustomerChange<T> {
  body: T;
  action: string;
  target: string;
  before?: unknown;
  /** Defaults to the answered body. */
  after?: unknown;
}

type CustomerRequest = FastifyRequest & { params: { id: number } };
type CustomerRun<C> = (trx: Transaction<PanelDatabase>, customer: CustomerRecord) => Promise<C>;

/** customer/<id>/<kind>/<name>: the audit target of a customer's resource. */
export function customerTarget(customerId: number, kind: string, name: string): string {
  return `customer/${customerId}/${kind}/${name}`;
}

/**
 * mutate() for the customer of the route's `:id`: idempotency, customer lock and generation bump, audit
 * and reconcile job in one transaction; `run` gets the locked customer row.
 */
export function changeForCustomer<T>(
  db: Kysely<PanelDatabase>,
  req: CustomerRequest,
  reply: FastifyReply,
  status: 200 | 201,
  run: CustomerRun<CustomerChange<T>>,
): Promise<T | undefined> {
  return mutate(db, req, reply, {
    status,
    customerId: req.params.id,
    run: async (trx, customer) => {
      // mutate() passes the locked row whenever customerId is set (or it has thrown 404).
      const { body, action, target, before, after } = await run(trx, customer!);
      return { body, audit: { action, target, before, after: after === undefined ? body : after } };
    },
  });
}

/** DELETE of one of the customer's resources: `run` removes it and names it for the audit log; 204. */
export async function deleteForCustomer(
  db: Kysely<PanelDatabase>,
  req: CustomerRequest,
  reply: FastifyReply,
  run: CustomerRun<{ action: string; target: string; before: unknown }>,
): Promise<FastifyReply> {
  await mutate(db, req, reply, {
    status: 204,
    customerId: req.params.id,
    run: async (trx, customer) => ({ body: undefined, audit: await run(trx, customer!) }),
  });
  return reply.send(null);
}
