import { randomBytes } from 'node:crypto';
import {
  backupSchema,
  createBackupBody,
  createRestoreBody,
  customerIdParams,
  pageOf,
  paginationQuery,
  restoreSchema,
} from '@hostplane/contracts';
import { ConflictError, UnprocessableError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers } from '../http/responses.ts';
import { presentBackup, presentRestore } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const tags = ['backups'];
const scoped = { access: 'user', customerScoped: true } as const;

/** cust-1001-20261126-0703-a1b2: sortable, unique, a valid Velero object name. */
function generatedName(customerId: number, kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  return `cust-${customerId}-${kind}${stamp}-${randomBytes(2).toString('hex')}`;
}

export function backupRoutes(app: ApiInstance, { db }: RouteDeps): void {
  app.get(
    '/customers/:id/backups',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        querystring: paginationQuery,
        response: answers({ 200: pageOf(backupSchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const rows = await db
        .selectFrom('backups')
        .selectAll()
        .where('customer_id', '=', req.params.id)
        .where('id', '>', decodeCursor(req.query.cursor))
        .orderBy('id')
        .limit(req.query.limit + 1)
        .execute();
      return toPage(rows, req.query, presentBackup);
    },
  );

  app.post(
    '/customers/:id/backups',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'ask for a backup now',
        params: customerIdParams,
        body: createBackupBody.optional(),
        response: answers({ 201: backupSchema }, 403, 404, 409),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const name = req.body?.name
            ? `cust-${customer!.id}-${req.body.name}`
            : generatedName(customer!.id, '');
          const row = await trx
            .insertInto('backups')
            .values({ customer_id: customer!.id, name })
            .onConflict((oc) => oc.column('name').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new ConflictError(`backup ${name} exists`, 'backup-exists');
          const body = presentBackup(row);
          return {
            body,
            audit: {
              action: 'backup.create',
              target: `customer/${customer!.id}/backup/${name}`,
              after: body,
            },
          };
        },
      }),
  );

  app.get(
    '/customers/:id/restores',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        querystring: paginationQuery,
        response: answers({ 200: pageOf(restoreSchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const rows = await db
        .selectFrom('restores')
        .selectAll()
        .where('customer_id', '=', req.params.id)
        .where('id', '>', decodeCursor(req.query.cursor))
        .orderBy('id')
        .limit(req.query.limit + 1)
        .execute();
      return toPage(rows, req.query, presentRestore);
    },
  );

  app.post(
    '/customers/:id/restores',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'restore a backup of this customer',
        params: customerIdParams,
        body: createRestoreBody,
        response: answers({ 201: restoreSchema }, 403, 404, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const backup = await trx
            .selectFrom('backups')
            .select(['name', 'phase'])
            .where('customer_id', '=', customer!.id)
            .where('name', '=', req.body.backup)
            .executeTakeFirst();
          if (!backup)
            throw new UnprocessableError(`backup ${req.body.backup} does not exist`, [
              { path: 'backup', in: 'body', message: 'unknown backup' },
            ]);
          const row = await trx
            .insertInto('restores')
            .values({
              customer_id: customer!.id,
              name: generatedName(customer!.id, 'restore-'),
              backup_name: backup.name,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const body = presentRestore(row);
          return {
            body,
            audit: {
              action: 'restore.create',
              target: `customer/${customer!.id}/restore/${row.name}`,
              after: body,
            },
          };
        },
      }),
  );
}
