import {
  createMailboxBody,
  customerIdParams,
  mailboxParams,
  mailboxSchema,
  quantityToNumber,
  updateMailboxBody,
} from '@hostplane/contracts';
import {
  aliasSourceTaken,
  deleteMailbox,
  insertMailbox,
  isMailDomainOf,
  type PanelDatabase,
  updateMailbox,
} from '@hostplane/db';
import type { Kysely, Transaction } from 'kysely';
import { hashMailPassword } from '../auth/passwords.ts';
import { ConflictError, UnprocessableError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import { presentMailbox } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import {
  changeForCustomer,
  customerTarget,
  deleteForCustomer,
  findOwned,
  registerCustomerList,
  scoped,
} from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';
import { mailboxUsageDecorator } from './mail-usage.ts';

const tags = ['mail'];
type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** Mail addresses live under one of the customer's domains that has mail turned on. */
export async function assertMailDomain(
  db: Db,
  customerId: number,
  address: string,
  field: string,
): Promise<void> {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (!(await isMailDomainOf(db, customerId, domain))) {
    throw new UnprocessableError(`${domain} is not a mail domain of this customer`, [
      { path: field, in: 'body', message: 'add the domain with mail: true first' },
    ]);
  }
}

function findMailbox(db: Db, customerId: number, address: string) {
  return findOwned(db, 'mailboxes', customerId, { column: 'address', value: address, what: 'mailbox' });
}

export function mailboxRoutes(app: ApiInstance, deps: RouteDeps): void {
  const { db } = deps;
  registerCustomerList(app, {
    path: '/customers/:id/mailboxes',
    table: 'mailboxes',
    search: 'address',
    itemSchema: mailboxSchema,
    present: presentMailbox,
    tags,
    db,
    decorate: (items) => mailboxUsageDecorator(deps, app.log)(items),
  });

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
      return changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const b = req.body;
        const quotaBytes = quantityToNumber(b.quota);
        await assertMailDomain(trx, customer.id, b.address, 'address');
        await assertChangeWithinPlan(trx, customer, { mailboxes: 1, mailboxQuotaBytes: quotaBytes });
        if (await aliasSourceTaken(trx, b.address))
          throw new ConflictError(`${b.address} is an alias`, 'address-taken');
        const row = await insertMailbox(trx, {
          customerId: customer.id,
          address: b.address,
          passwordHash,
          quotaBytes,
          enabled: b.enabled,
        });
        return {
          body: presentMailbox(row),
          action: 'mailbox.create',
          target: customerTarget(customer.id, 'mailbox', row.address),
        };
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
      return changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = await findMailbox(trx, customer.id, req.params.address);
        const quotaBytes = req.body.quota ? quantityToNumber(req.body.quota) : undefined;
        if (quotaBytes !== undefined)
          await assertChangeWithinPlan(trx, customer, {
            mailboxQuotaBytes: quotaBytes - before.quota_bytes,
          });
        const row = await updateMailbox(trx, before.id, {
          passwordHash,
          quotaBytes,
          enabled: req.body.enabled,
        });
        const body = presentMailbox(row);
        return {
          body,
          action: 'mailbox.update',
          target: customerTarget(customer.id, 'mailbox', row.address),
          before: presentMailbox(before),
          after: { ...body, passwordChanged: passwordHash !== undefined },
        };
      });
    },
  );

  app.delete(
    '/customers/:id/mailboxes/:address',
    {
      config: scoped,
      schema: { tags, params: mailboxParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const before = await findMailbox(trx, customer.id, req.params.address);
        await deleteMailbox(trx, before.id);
        return {
          action: 'mailbox.delete',
          target: customerTarget(customer.id, 'mailbox', before.address),
          before: presentMailbox(before),
        };
      }),
  );
}
