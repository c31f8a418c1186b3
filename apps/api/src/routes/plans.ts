import {
  createPlanBody,
  idParam,
  pageOf,
  paginationQuery,
  planSchema,
  updatePlanBody,
} from '@hostplane/contracts';
import { bumpCustomersOnPlan, insertPlan, lockPlan, pagePlans, updatePlan } from '@hostplane/db';
import { enqueueReconcile } from '@hostplane/reconcile';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers } from '../http/responses.ts';
import { assertPlanFits } from '../limits.ts';
import { presentPlan } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const planParams = z.object({ id: idParam }).strict();
const tags = ['plans'];

export function planRoutes(app: ApiInstance, { db, platform }: RouteDeps): void {
  app.get(
    '/plans',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'list plans',
        querystring: paginationQuery,
        response: answers({ 200: pageOf(planSchema) }),
      },
    },
    async (req) => {
      const rows = await pagePlans(db, decodeCursor(req.query.cursor), req.query.limit);
      return toPage(rows, req.query, presentPlan);
    },
  );

  app.post(
    '/plans',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'create a plan',
        body: createPlanBody,
        response: answers({ 201: planSchema }, 403, 409, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        run: async (trx) => {
          const row = await insertPlan(trx, { name: req.body.name, limits: req.body.limits });
          const plan = presentPlan(row);
          return { body: plan, audit: { action: 'plan.create', target: `plan/${row.id}`, after: plan } };
        },
      }),
  );

  app.patch(
    '/plans/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'change a plan; refused when a customer on it would exceed the new limits',
        params: planParams,
        body: updatePlanBody,
        response: answers({ 200: planSchema }, 403, 404, 409),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 200,
        run: async (trx) => {
          const before = await lockPlan(trx, req.params.id);
          if (!before) throw new NotFoundError(`plan ${req.params.id}`);
          const row = await updatePlan(trx, req.params.id, { name: req.body.name, limits: req.body.limits });
          // Customers on the plan get a new generation and a reconcile (their quotas follow the plan).
          for (const id of await bumpCustomersOnPlan(trx, row.id)) {
            await assertPlanFits(trx, id, presentPlan(row), platform);
            await enqueueReconcile(trx, id);
          }
          return {
            body: presentPlan(row),
            audit: {
              action: 'plan.update',
              target: `plan/${row.id}`,
              before: presentPlan(before),
              after: presentPlan(row),
            },
          };
        },
      }),
  );
}
