import {
  aliasParams,
  aliasSchema,
  createAliasBody,
  customerIdParams,
  pageOf,
  paginationQuery,
} from '@hostplane/contracts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers, noContent } from '../http/responses.ts';
import { presentAlias } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';
import { assertMailDomain } from './mailboxes.ts';

const tags = ['mail'];
const scoped = { access: 'user', customerScoped: true } as const;

export function aliasRoutes(app: ApiInstance, { db }: RouteDeps): void {
  app.get(
    '/customers/:id/aliases',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        querystring: paginationQuery,
        response: answers({ 200: pageOf(aliasSchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const rows = await db
        .selectFrom('aliases')
        .selectAll()
        .where('customer_id', '=', req.params.id)
        .where('id', '>', decodeCursor(req.query.cursor))
        .orderBy('id')
        .limit(req.query.limit + 1)
        .execute();
      return toPage(rows, req.query, presentAlias);
    },
  );

  app.post(
    '/customers/:id/aliases',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: createAliasBody,
        response: answers({ 201: aliasSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const { source, destinations } = req.body;
          await assertMailDomain(trx, customer!.id, source.startsWith('@') ? `x${source}` : source, 'source');
          const mailbox = await trx
            .selectFrom('mailboxes')
            .select('id')
            .where('address', '=', source)
            .executeTakeFirst();
          if (mailbox) throw new ConflictError(`${source} is a mailbox`, 'address-taken');
          const row = await trx
            .insertInto('aliases')
            .values({ customer_id: customer!.id, source, destinations: [...new Set(destinations)].sort() })
            .onConflict((oc) => oc.column('source').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new ConflictError(`alias ${source} exists`, 'alias-exists');
          const body = presentAlias(row);
          return {
            body,
            audit: {
              action: 'alias.create',
              target: `customer/${customer!.id}/alias/${source}`,
              after: body,
            },
          };
        },
      }),
  );

  app.delete(
    '/customers/:id/aliases/:source',
    {
      config: scoped,
      schema: { tags, params: aliasParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) => {
      await mutate(db, req, reply, {
        status: 204,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const gone = await trx
            .deleteFrom('aliases')
            .where('customer_id', '=', customer!.id)
            .where('source', '=', req.params.source)
            .returningAll()
            .executeTakeFirst();
          if (!gone) throw new NotFoundError(`alias ${req.params.source}`);
          return {
            body: undefined,
            audit: {
              action: 'alias.delete',
              target: `customer/${customer!.id}/alias/${gone.source}`,
              before: presentAlias(gone),
            },
          };
        },
      });
      return reply.send(null);
    },
  );
}
