import {
  acceptedSchema,
  createCustomerBody,
  customerIdParams,
  customerSchema,
  pageOf,
  searchQuery,
  updateCustomerBody,
} from '@hostplane/contracts';
import {
  insertCustomer,
  markCustomerDeleting,
  pageCustomers,
  planExists,
  revokeCustomerAccess,
  updateCustomer,
} from '@hostplane/db';
import { createUser } from '../auth/users.ts';
import { UnprocessableError } from '../errors.ts';
import { conditionsOf, customerAnswer, readCustomer } from '../http/customers.ts';
import { mutate } from '../http/mutation.ts';
import { containsPattern, decodeCursor, toPage } from '../http/pagination.ts';
import { answers } from '../http/responses.ts';
import { assertPlanFits, planOf } from '../limits.ts';
import { presentCustomer } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import { scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['customers'];
const adminScoped = { access: 'admin', customerScoped: true } as const;

export function customerRoutes(app: ApiInstance, { db, platform }: RouteDeps): void {
  app.get(
    '/customers',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'list customers (an admin: all; `q` filters on name or email)',
        querystring: searchQuery,
        response: answers({ 200: pageOf(customerSchema) }),
      },
    },
    async (req) => {
      const own = req.principal!.user;
      const { q } = req.query;
      const rows = await pageCustomers(db, {
        after: decodeCursor(req.query.cursor),
        limit: req.query.limit,
        ...(own.role !== 'admin' ? { onlyId: own.customerId ?? -1 } : {}),
        ...(q !== undefined ? { namePattern: containsPattern(q) } : {}),
      });
      const conditions = await conditionsOf(
        db,
        rows.map((r) => r.id),
      );
      return toPage(rows, req.query, (row) => presentCustomer(row, conditions.get(row.id) ?? []));
    },
  );

  app.post(
    '/customers',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'create a customer (and its login when a password is given)',
        body: createCustomerBody,
        response: answers({ 201: customerSchema }, 403, 409, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        run: async (trx) => {
          const { name, email, planId, password } = req.body;
          if (!(await planExists(trx, planId)))
            throw new UnprocessableError(`plan ${planId} does not exist`, [
              { path: 'planId', in: 'body', message: 'unknown plan' },
            ]);
          const row = await insertCustomer(trx, { name, email, planId });
          if (password !== undefined)
            await createUser(trx, { email, password, role: 'customer', customerId: row.id });
          const body = presentCustomer(row, []);
          return {
            body,
            customerId: row.id,
            audit: {
              action: 'customer.create',
              target: `customer/${row.id}`,
              after: { ...body, login: password !== undefined },
            },
          };
        },
      }),
  );

  app.get(
    '/customers/:id',
    {
      config: scoped,
      schema: { tags, params: customerIdParams, response: answers({ 200: customerSchema }, 404) },
    },
    async (req) => readCustomer(db, req.params.id),
  );

  app.patch(
    '/customers/:id',
    {
      config: adminScoped,
      schema: {
        tags,
        summary: 'change plan, suspend or resume',
        params: customerIdParams,
        body: updateCustomerBody,
        response: answers({ 200: customerSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 200,
        customerId: req.params.id,
        run: async (trx, before) => {
          const { planId, suspended, name, email } = req.body;
          if (planId !== undefined && planId !== before!.plan_id) {
            if (!(await planExists(trx, planId)))
              throw new UnprocessableError(`plan ${planId} does not exist`, [
                { path: 'planId', in: 'body', message: 'unknown plan' },
              ]);
            await assertPlanFits(trx, req.params.id, await planOf(trx, planId), platform);
          }
          const row = await updateCustomer(trx, req.params.id, { planId, suspended, name, email });
          const body = await customerAnswer(trx, row);
          return {
            body,
            audit: {
              action: 'customer.update',
              target: `customer/${row.id}`,
              before: presentCustomer(before!, []),
              after: body,
            },
          };
        },
      }),
  );

  app.delete(
    '/customers/:id',
    {
      config: adminScoped,
      schema: {
        tags,
        summary: 'delete the customer everywhere (asynchronous)',
        params: customerIdParams,
        response: answers({ 202: acceptedSchema }, 403, 404),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 202,
        customerId: req.params.id,
        allowDeleting: true,
        run: async (trx, customer) => {
          await markCustomerDeleting(trx, req.params.id);
          // Its users lose access now, not when the worker is done: sessions and tokens go.
          await revokeCustomerAccess(trx, req.params.id);
          const body = { id: customer!.id, generation: customer!.generation, status: 'Deleting' };
          return {
            body,
            audit: {
              action: 'customer.delete',
              target: `customer/${customer!.id}`,
              before: presentCustomer(customer!, []),
            },
          };
        },
      }),
  );

  app.post(
    '/customers/:id/reconcile',
    {
      config: adminScoped,
      schema: {
        tags,
        summary: 'reconcile this customer now',
        params: customerIdParams,
        response: answers({ 202: acceptedSchema }, 403, 404),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 202,
        customerId: req.params.id,
        allowDeleting: true,
        bumpGeneration: false,
        // Asked for when something looks wrong: every target reads everything it owns.
        fullPass: true,
        run: async (_trx, customer) => ({
          body: { id: customer!.id, generation: customer!.generation, status: 'Queued' },
          audit: { action: 'customer.reconcile', target: `customer/${customer!.id}` },
        }),
      }),
  );
}
