import {
  createDomainBody,
  customerIdParams,
  domainParams,
  domainSchema,
  updateDomainBody,
} from '@hostplane/contracts';
import type { PanelDatabase } from '@hostplane/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { sealSecret } from '../auth/secrets.ts';
import { generateDkimKey } from '../dkim.ts';
import { ConflictError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import { presentDomain } from '../present.ts';
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

const tags = ['domains'];

export function findDomain(
  db: Kysely<PanelDatabase> | Transaction<PanelDatabase>,
  customerId: number,
  name: string,
) {
  return findOwned(db, 'domains', customerId, { column: 'name', value: name, what: 'domain' });
}

/**
 * A domain may not sit under (or above) another customer's domain: shop.example.com belongs with
 * example.com, or one customer could answer DNS and mail for another's names.
 */
async function assertNoOverlap(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  name: string,
): Promise<void> {
  const labels = name.split('.');
  const parents = labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'));
  const clash = await trx
    .selectFrom('domains')
    .select('name')
    .where('customer_id', '<>', customerId)
    .where((eb) =>
      eb.or([eb('name', 'in', parents.length > 0 ? parents : ['']), eb('name', 'like', `%.${name}`)]),
    )
    .executeTakeFirst();
  if (clash)
    throw new ConflictError(
      `${name} overlaps ${clash.name}, which belongs to another customer`,
      'domain-taken',
    );
}

/** A new signing key; the private half is sealed under the panel's SECRET_KEY like TOTP seeds. */
async function dkimColumns(mail: boolean, secretKey: string | undefined) {
  if (!mail) return {};
  const key = await generateDkimKey();
  return {
    dkim_selector: key.selector,
    dkim_public_key: key.publicKey,
    dkim_private_key_pem: sealSecret(key.privateKeyPem, secretKey),
  };
}

export function domainRoutes(app: ApiInstance, { db, config }: RouteDeps): void {
  registerCustomerList(app, {
    path: '/customers/:id/domains',
    table: 'domains',
    itemSchema: domainSchema,
    present: presentDomain,
    tags,
    db,
  });

  app.post(
    '/customers/:id/domains',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: createDomainBody,
        response: answers({ 201: domainSchema }, 403, 404, 409),
      },
    },
    async (req, reply) => {
      // The key is made before the transaction: no row lock is held while the CPU works.
      const dkim = await dkimColumns(req.body.mail, config.secretKey);
      return changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        await assertChangeWithinPlan(trx, customer, { domains: 1 });
        await assertNoOverlap(trx, customer.id, req.body.name);
        // The unique index decides, not a read before the insert (one round trip less under the lock).
        const row = await trx
          .insertInto('domains')
          .values({
            customer_id: customer.id,
            name: req.body.name,
            dns: req.body.dns,
            mail: req.body.mail,
            dnssec: req.body.dnssec,
            ...dkim,
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new ConflictError(`domain ${req.body.name} is already in use`, 'domain-taken');
        return {
          body: presentDomain(row),
          action: 'domain.create',
          target: customerTarget(customer.id, 'domain', row.name),
        };
      });
    },
  );

  app.get(
    '/customers/:id/domains/:name',
    { config: scoped, schema: { tags, params: domainParams, response: answers({ 200: domainSchema }, 404) } },
    async (req) => presentDomain(await findDomain(db, req.params.id, req.params.name)),
  );

  app.patch(
    '/customers/:id/domains/:name',
    {
      config: scoped,
      schema: {
        tags,
        params: domainParams,
        body: updateDomainBody,
        response: answers({ 200: domainSchema }, 403, 404),
      },
    },
    async (req, reply) => {
      const dkim = req.body.mail ? await dkimColumns(true, config.secretKey) : {};
      return changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = await findDomain(trx, customer.id, req.params.name);
        const row = await trx
          .updateTable('domains')
          .set({
            dns: req.body.dns,
            mail: req.body.mail,
            dnssec: req.body.dnssec,
            // A domain keeps its first key; a new one is only made when it never had one.
            ...(before.dkim_selector ? {} : dkim),
            updated_at: sql`now()`,
          })
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return {
          body: presentDomain(row),
          action: 'domain.update',
          target: customerTarget(customer.id, 'domain', row.name),
          before: presentDomain(before),
        };
      });
    },
  );

  app.delete(
    '/customers/:id/domains/:name',
    {
      config: scoped,
      schema: {
        tags,
        summary: 'delete a domain and its records; refused while mailboxes use it',
        params: domainParams,
        response: answers({ 204: noContent }, 403, 404, 409),
      },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const before = await findDomain(trx, customer.id, req.params.name);
        const inUse = await trx
          .selectFrom('mailboxes')
          .select('address')
          .where('customer_id', '=', customer.id)
          .where('address', 'like', `%@${before.name}`)
          .executeTakeFirst();
        if (inUse)
          throw new ConflictError(
            `mailbox ${inUse.address} uses ${before.name}; delete the mailboxes first`,
            'domain-in-use',
          );
        await trx
          .deleteFrom('aliases')
          .where('customer_id', '=', customer.id)
          .where((eb) =>
            eb.or([eb('source', 'like', `%@${before.name}`), eb('source', '=', `@${before.name}`)]),
          )
          .execute();
        await trx.deleteFrom('domains').where('id', '=', before.id).execute();
        return {
          action: 'domain.delete',
          target: customerTarget(customer.id, 'domain', before.name),
          before: presentDomain(before),
        };
      }),
  );
}
