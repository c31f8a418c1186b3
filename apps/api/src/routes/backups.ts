import { randomBytes } from 'node:crypto';
import {
  backupSchema,
  createBackupBody,
  createRestoreBody,
  customerIdParams,
  restoreSchema,
} from '@hostplane/contracts';
import {
  customerDatabaseNamesOf,
  customerDomainClaims,
  findBackupWithContents,
  insertBackup,
  insertRestore,
  recreateDatabases,
  recreateSites,
  siteNamesOf,
} from '@hostplane/db';
import { planRestoreScope, type SiteCopy, siteHostIssues } from '@hostplane/domain';
import { reservedNamesOf } from '@hostplane/platform';
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

/**
 * A deleted site's row comes back only where it still could be created: its hosts must still lie under
 * the customer's domains. Otherwise 409 naming the site and what to do; nothing is written.
 */
async function assertRecreatable(
  trx: Parameters<typeof customerDomainClaims>[0],
  customerId: number,
  copies: readonly SiteCopy[],
  reserved: readonly string[],
): Promise<void> {
  if (copies.length === 0) return;
  const domains = await customerDomainClaims(trx, customerId);
  for (const copy of copies) {
    const issues = siteHostIssues({ hosts: copy.domains, www: copy.www, domains, reserved });
    if (issues.length > 0)
      throw new ConflictError(
        `site ${copy.name} was deleted and its host ${copy.domains[Number(issues[0]?.path[1] ?? 0)] ?? ''} ` +
          `cannot be re-created (${issues[0]?.message}): add the domain back, or restore the other sites ` +
          `by naming them in "sites"`,
        'site-not-recreatable',
      );
  }
}

export function backupRoutes(app: ApiInstance, { db, platform }: RouteDeps): void {
  const reserved = reservedNamesOf(platform);
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
        summary: 'restore a backup of this customer (all of it, or some of its sites)',
        description:
          'Brings the backup’s objects and volumes back into the customer’s namespace (only those of ' +
          '`sites` when given). Sites the backup holds whose panel row was deleted since are re-created ' +
          'as they were at backup time, so the next reconcile keeps what the restore brought back.',
        params: customerIdParams,
        body: createRestoreBody,
        response: answers({ 201: restoreSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const backup = await findBackupWithContents(trx, customer.id, req.body.backup);
        if (!backup)
          throw new UnprocessableError(`backup ${req.body.backup} does not exist`, [
            { path: 'backup', in: 'body', message: 'unknown backup' },
          ]);
        const scope = planRestoreScope(
          backup.contents,
          await siteNamesOf(trx, customer.id),
          req.body.sites,
          await customerDatabaseNamesOf(trx, customer.id),
        );
        if (scope.issues.length > 0)
          throw new UnprocessableError(
            scope.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
            scope.issues.map((i) => ({ path: i.path, in: 'body' as const, message: i.message })),
          );
        await assertChangeWithinPlan(trx, customer, {
          restoresPerDay: 1,
          sites: scope.recreate.length,
          databases: scope.recreate.filter((s) => s.database).length + scope.recreateDatabases.length,
        });
        await assertRecreatable(trx, customer.id, scope.recreate, reserved);
        await recreateSites(trx, customer.id, scope.recreate);
        await recreateDatabases(
          trx,
          customer.id,
          scope.recreateDatabases,
          backup.contents?.databaseServer ?? null,
        );
        const row = await insertRestore(trx, {
          customerId: customer.id,
          name: generatedName(customer.id, 'restore-'),
          backupName: backup.name,
          sites: req.body.sites ? scope.sites : null,
        });
        return {
          body: presentRestore(row),
          action: 'restore.create',
          target: customerTarget(customer.id, 'restore', row.name),
        };
      }),
  );
}
