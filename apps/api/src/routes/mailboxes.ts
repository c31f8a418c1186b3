import {
  createMailboxBody,
  customerIdParams,
  mailboxParams,
  mailboxSchema,
  pageOf,
  paginationQuery,
  quantityToNumber,
  updateMailboxBody,
} from '@hostplane/contracts';
import type { PanelDatabase } from '@hostplane/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { hashMailPassword } from '../auth/passwords.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import { presentMailbox } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const tags = ['mail'];
const scoped = { access: 'user', customerScoped: true } as const;
type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** Mail addresses live under one of the customer's domains that has mail turned on. */
export async function assertMailDomain(
  db: Db,
  customerId: number,
  address: string,
  field: string,
): Promise<void> {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const row = await db
    .selectFrom('domains')
    .select('mail')
    .where('customer_id', '=', customerId)
    .where('name', '=', domain)
    .executeTakeFirst();
  if (!row?.mail) {
    throw new UnprocessableError(`${domain} is not a mail domain of this customer`, [
      { path: field, in: 'body', message: 'add the domain with mail: true first' },
    ]);
  }
}

async function findMailbox(db: Db, customerId: number, address: string) {
  await findCustomer(db, customerId);
  const row = await db
    .selectFrom('mailboxes')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('address', '=', address)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`mailbox ${address}`);
  return row;
}

export function mailboxRoutes(app: ApiInstance, { db }: RouteDeps): void {
  app.get(
    '/customers/:id/mailboxes',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        querystring: paginationQuery,
        response: answers({ 200: pageOf(mailboxSchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const rows = await db
        .selectFrom('mailboxes')
        .selectAll()
        .where('customer_id', '=', req.params.id)
        .where('id', '>', decodeCursor(req.query.cursor))
        .orderBy('id')
        .limit(req.query.limit + 1)
        .execute();
      return toPage(rows, req.query, presentMailbox);
    },
  );

  app.post(
    '/customers/:id/mailboxes',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: createMailboxBody,
        response: answers({ 201: mailboxSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) => {
      const passwordHash = await hashMailPassword(req.body.password);
      return mutate(db, req, reply, {
        status: 201,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const b = req.body;
          const quotaBytes = quantityToNumber(b.quota);
          await assertMailDomain(trx, customer!.id, b.address, 'address');
          await assertChangeWithinPlan(trx, customer!, { mailboxes: 1, mailboxQuotaBytes: quotaBytes });
          const taken = await trx
            .selectFrom('aliases')
            .select('id')
            .where('source', '=', b.address)
            .executeTakeFirst();
          if (taken) throw new ConflictError(`${b.address} is an alias`, 'address-taken');
          const row = await trx
            .insertInto('mailboxes')
            .values({
              customer_id: customer!.id,
              address: b.address,
              password_hash: passwordHash,
              quota_bytes: quotaBytes,
              enabled: b.enabled,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const body = presentMailbox(row);
          return {
            body,
            audit: {
              action: 'mailbox.create',
              target: `customer/${customer!.id}/mailbox/${row.address}`,
              after: body,
            },
          };
        },
      });
    },
  );

  app.patch(
    '/customers/:id/mailboxes/:address',
    {
      config: scoped,
      schema: {
        tags,
        params: mailboxParams,
        body: updateMailboxBody,
        response: answers({ 200: mailboxSchema }, 403, 404, 409),
      },
    },
    async (req, reply) => {
      const passwordHash = req.body.password ? await hashMailPassword(req.body.password) : undefined;
      return mutate(db, req, reply, {
        status: 200,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const before = await findMailbox(trx, customer!.id, req.params.address);
          const quotaBytes = req.body.quota ? quantityToNumber(req.body.quota) : undefined;
          if (quotaBytes !== undefined)
            await assertChangeWithinPlan(trx, customer!, {
              mailboxQuotaBytes: quotaBytes - before.quota_bytes,
            });
          const row = await trx
            .updateTable('mailboxes')
            .set({
              password_hash: passwordHash,
              quota_bytes: quotaBytes,
              enabled: req.body.enabled,
              updated_at: sql`now()`,
            })
            .where('id', '=', before.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          const body = presentMailbox(row);
          const after = { ...body, passwordChanged: passwordHash !== undefined };
          return {
            body,
            audit: {
              action: 'mailbox.update',
              target: `customer/${customer!.id}/mailbox/${row.address}`,
              before: presentMailbox(before),
              after,
            },
          };
        },
      });
    },
  );

  app.delete(
    '/customers/:id/mailboxes/:address',
    {
      config: scoped,
      schema: { tags, params: mailboxParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) => {
      await mutate(db, req, reply, {
        status: 204,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const before = await findMailbox(trx, customer!.id, req.params.address);
          await trx.deleteFrom('mailboxes').where('id', '=', before.id).execute();
          return {
            body: undefined,
            audit: {
              action: 'mailbox.delete',
              target: `customer/${customer!.id}/mailbox/${before.address}`,
              before: presentMailbox(before),
            },
          };
        },
      });
      return reply.send(null);
    },
  );
}
