// A site's cron jobs (issue 16): rows here, CronJobs by the worker's Kubernetes target; the last runs
// are a live read of the customer's namespace (TenantReads).
import {
  type CronJob,
  createCronJobBody,
  cronJobParams,
  cronJobSchema,
  siteParams,
  updateCronJobBody,
} from '@hostplane/contracts';
import {
  deleteSiteCronJob,
  findSiteCronJob,
  insertSiteCronJob,
  listSiteCronJobs,
  type PanelDatabase,
  type SiteCronJobRecord,
  updateSiteCronJob,
} from '@hostplane/db';
import { cronJobIssues } from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import type { TenantReads } from '../tenant-reads.ts';
import type { ApiInstance } from '../types.ts';
import {
  changeForCustomer,
  customerTarget,
  deleteForCustomer,
  findOwned,
  scoped,
} from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['cronjobs'];
const RUNS_SHOWN = 5;

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

function findSite(db: Db, customerId: number, name: string) {
  return findOwned(db, 'sites', customerId, { column: 'name', value: name, what: 'site' });
}

function assertCron(input: { schedule?: string; timeZone?: string | null }): void {
  const issues = cronJobIssues(input);
  if (issues.length === 0) return;
  const errors = issues.map((i) => ({ path: i.path.join('.'), in: 'body' as const, message: i.message }));
  throw new UnprocessableError(
    errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    errors,
    'invalid-cronjob',
  );
}

export function cronJobRoutes(app: ApiInstance, { db, tenantReads }: RouteDeps): void {
  const present = async (
    customerId: number,
    site: string,
    row: SiteCronJobRecord,
    reads: TenantReads | null | undefined,
  ): Promise<CronJob> => ({
    name: row.name,
    schedule: row.schedule,
    command: row.command,
    timeZone: row.time_zone,
    suspended: row.suspended,
    concurrencyPolicy: row.concurrency_policy,
    lastRuns: reads ? await reads.cronRuns(customerId, site, row.name, RUNS_SHOWN) : [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });

  app.get(
    '/customers/:id/sites/:name/cronjobs',
    {
      config: scoped,
      schema: {
        tags,
        params: siteParams,
        response: answers({ 200: z.object({ items: z.array(cronJobSchema) }) }, 404),
      },
    },
    async (req) => {
      const site = await findSite(db, req.params.id, req.params.name);
      const rows = await listSiteCronJobs(db, site.id);
      return { items: await Promise.all(rows.map((r) => present(req.params.id, site.name, r, tenantReads))) };
    },
  );

  app.get(
    '/customers/:id/sites/:name/cronjobs/:cron',
    {
      config: scoped,
      schema: { tags, params: cronJobParams, response: answers({ 200: cronJobSchema }, 404) },
    },
    async (req) => {
      const site = await findSite(db, req.params.id, req.params.name);
      const row = await findSiteCronJob(db, site.id, req.params.cron);
      if (!row) throw new NotFoundError(`cron job ${req.params.cron}`);
      return present(req.params.id, site.name, row, tenantReads);
    },
  );

  app.post(
    '/customers/:id/sites/:name/cronjobs',
    {
      config: scoped,
      schema: {
        tags,
        params: siteParams,
        body: createCronJobBody,
        response: answers({ 201: cronJobSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const b = req.body;
        const site = await findSite(trx, customer.id, req.params.name);
        assertCron({ schedule: b.schedule, timeZone: b.timeZone ?? null });
        if (await findSiteCronJob(trx, site.id, b.name)) throw new ConflictError(`cron job ${b.name} exists`);
        await assertChangeWithinPlan(trx, customer, { cronJobs: 1 });
        const row = await insertSiteCronJob(trx, {
          customerId: customer.id,
          siteId: site.id,
          name: b.name,
          schedule: b.schedule.trim(),
          command: b.command,
          timeZone: b.timeZone ?? null,
          suspended: b.suspended,
          concurrencyPolicy: b.concurrencyPolicy,
        });
        return {
          body: await present(customer.id, site.name, row, null),
          action: 'cronjob.create',
          target: customerTarget(customer.id, 'cronjob', `${site.name}/${row.name}`),
        };
      }),
  );

  app.patch(
    '/customers/:id/sites/:name/cronjobs/:cron',
    {
      config: scoped,
      schema: {
        tags,
        params: cronJobParams,
        body: updateCronJobBody,
        response: answers({ 200: cronJobSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const site = await findSite(trx, customer.id, req.params.name);
        const before = await findSiteCronJob(trx, site.id, req.params.cron);
        if (!before) throw new NotFoundError(`cron job ${req.params.cron}`);
        const b = req.body;
        assertCron({
          ...(b.schedule !== undefined ? { schedule: b.schedule } : {}),
          timeZone: b.timeZone ?? null,
        });
        const row = await updateSiteCronJob(trx, before.id, { ...b, schedule: b.schedule?.trim() });
        return {
          body: await present(customer.id, site.name, row, null),
          before: await present(customer.id, site.name, before, null),
          action: 'cronjob.update',
          target: customerTarget(customer.id, 'cronjob', `${site.name}/${row.name}`),
        };
      }),
  );

  app.delete(
    '/customers/:id/sites/:name/cronjobs/:cron',
    {
      config: scoped,
      schema: { tags, params: cronJobParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const site = await findSite(trx, customer.id, req.params.name);
        const before = await findSiteCronJob(trx, site.id, req.params.cron);
        if (!before) throw new NotFoundError(`cron job ${req.params.cron}`);
        await deleteSiteCronJob(trx, before.id);
        return {
          action: 'cronjob.delete',
          target: customerTarget(customer.id, 'cronjob', `${site.name}/${before.name}`),
          before: await present(customer.id, site.name, before, null),
        };
      }),
  );
}
