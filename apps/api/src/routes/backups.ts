import { randomBytes } from 'node:crypto';
import {
  backupSchema,
  createBackupBody,
  createRestoreBody,
  customerIdParams,
  restoreSchema,
} from '@hostplane/contracts';
import { findBackupOf, insertBackup, insertRestore } from '@hostplane/db';
import { ConflictError, UnprocessableError } from '../errors.ts';
import { answers } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import { presentBackup, presentRestore } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import { changeForCustomer, customerTarget, registerCustomerList, scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['backups'];

/** cust-1001-20261126-0703-a1b2: sortable, unique, a valid Velero object name. */
function generatedName(customerId: number, kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  return `cust-${customerId}-${kind}${stamp}-${randomBytes(2).toString('hex')}`;
}

export function backupRoutes(app: ApiInstance, { db }: RouteDeps): void {
  registerCustomerList(app, {
    path: '/customers/:id/backups',
    table: 'backups',
    itemSchema: backupSchema,
    present: presentBackup,
    tags,
    db,
  });

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
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const name = req.body?.name ? `cust-${customer.id}-${req.body.name}` : generatedName(customer.id, '');
        await assertChangeWithinPlan(trx, customer, { backupsPerDay: 1 });
        const row = await insertBackup(trx, customer.id, name);
        if (!row) throw new ConflictError(`backup ${name} exists`, 'backup-exists');
        return {
          body: presentBackup(row),
          action: 'backup.create',
          target: customerTarget(customer.id, 'backup', name),
        };
      }),
  );

  registerCustomerList(app, {
    path: '/customers/:id/restores',
    table: 'restores',
    itemSchema: restoreSchema,
    present: presentRestore,
    tags,
    db,
  });

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
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const backup = await findBackupOf(trx, customer.id, req.body.backup);
        if (!backup)
          throw new UnprocessableError(`backup ${req.body.backup} does not exist`, [
            { path: 'backup', in: 'body', message: 'unknown backup' },
          ]);
        await assertChangeWithinPlan(trx, customer, { restoresPerDay: 1 });
        const row = await insertRestore(trx, {
          customerId: customer.id,
          name: generatedName(customer.id, 'restore-'),
          backupName: backup.name,
        });
        return {
          body: presentRestore(row),
          action: 'restore.create',
          target: customerTarget(customer.id, 'restore', row.name),
        };
      }),
  );
}
