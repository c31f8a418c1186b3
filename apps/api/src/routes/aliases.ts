import { aliasParams, aliasSchema, createAliasBody, customerIdParams } from '@hostplane/contracts';
import { deleteAlias, insertAlias, mailboxAddressTaken } from '@hostplane/db';
import { ConflictError, NotFoundError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan, assertDestinationsWithinPlan, planOf } from '../limits.ts';
import { presentAlias } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import {
  changeForCustomer,
  customerTarget,
  deleteForCustomer,
  registerCustomerList,
  scoped,
} from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';
import { assertMailDomain } from './mailboxes.ts';

const tags = ['mail'];

export function aliasRoutes(app: ApiInstance, { db }: RouteDeps): void {
  registerCustomerList(app, {
    path: '/customers/:id/aliases',
    table: 'aliases',
    itemSchema: aliasSchema,
    present: presentAlias,
    tags,
    db,
  });

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
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const { source, destinations } = req.body;
        await assertMailDomain(trx, customer.id, source.startsWith('@') ? `x${source}` : source, 'source');
        assertDestinationsWithinPlan(await planOf(trx, customer.plan_id), new Set(destinations).size);
        await assertChangeWithinPlan(trx, customer, { aliases: 1 });
        if (await mailboxAddressTaken(trx, source))
          throw new ConflictError(`${source} is a mailbox`, 'address-taken');
        const row = await insertAlias(trx, {
          customerId: customer.id,
          source,
          destinations: [...new Set(destinations)].sort(),
        });
        if (!row) throw new ConflictError(`alias ${source} exists`, 'alias-exists');
        return {
          body: presentAlias(row),
          action: 'alias.create',
          target: customerTarget(customer.id, 'alias', source),
        };
      }),
  );

  app.delete(
    '/customers/:id/aliases/:source',
    {
      config: scoped,
      schema: { tags, params: aliasParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const gone = await deleteAlias(trx, customer.id, req.params.source);
        if (!gone) throw new NotFoundError(`alias ${req.params.source}`);
        return {
          action: 'alias.delete',
          target: customerTarget(customer.id, 'alias', gone.source),
          before: presentAlias(gone),
        };
      }),
  );
}
