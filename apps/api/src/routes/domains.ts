import { randomBytes } from 'node:crypto';
import {
  createDomainBody,
  customerIdParams,
  domainParams,
  domainSchema,
  updateDomainBody,
  verifyDomainBody,
} from '@hostplane/contracts';
import {
  bumpCustomerGeneration,
  deleteDomainAndAliases,
  findDomainOfOtherCustomer,
  insertDomain,
  lockRegistrableDomain,
  mailboxAtDomain,
  markVerifiedByAdmin,
  type PanelDatabase,
  releaseStaleClaims,
  requestVerificationNow,
  updateDomain,
} from '@hostplane/db';
import { customerDomainRefusal, domainClaimKey } from '@hostplane/domain';
import { reservedNamesOf } from '@hostplane/platform';
import { enqueueDomainVerification, enqueueReconcile } from '@hostplane/reconcile';
import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { sealSecret } from '../auth/secrets.ts';
import { generateDkimKey } from '../dkim.ts';
import { ConflictError, ForbiddenError, UnprocessableError } from '../errors.ts';
import { writeAudit } from '../http/audit.ts';
import { mutate } from '../http/mutation.ts';
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
 * The overlap rule of docs/dns.md: every name under one registrable domain belongs to one customer.
 * Two customers racing to add `example.com` and `shop.example.com` serialise on a lock of the
 * registrable domain, so the second sees the first's row and gets 409.
 */
async function assertNoOverlap(
  trx: Transaction<PanelDatabase>,
  req: FastifyRequest,
  customerId: number,
  name: string,
  releaseAfterDays: number,
): Promise<void> {
  const registrable = domainClaimKey(name);
  await lockRegistrableDomain(trx, registrable);
  // Stale, never-verified claims of others give way (audited, their owner reconciled).
  for (const released of await releaseStaleClaims(trx, customerId, registrable, releaseAfterDays)) {
    await bumpCustomerGeneration(trx, released.customerId);
    await enqueueReconcile(trx, released.customerId);
    await writeAudit(trx, req, {
      action: 'domain.release.unverified',
      target: customerTarget(released.customerId, 'domain', released.name),
      customerId: released.customerId,
      before: { name: released.name },
    });
  }
  const clash = await findDomainOfOtherCustomer(trx, customerId, registrable);
  if (clash)
    throw new ConflictError(
      // The other customer's name is not told: it is theirs, not this customer's business.
      `${name} is under ${registrable}, whose names belong to another customer`,
      'domain-taken',
    );
}

/** 422 on the field `name` for the platform's own names and anything at or above a public suffix. */
function assertNotReserved(name: string, reserved: readonly string[]): void {
  const reason = customerDomainRefusal(name, reserved);
  if (reason)
    throw new UnprocessableError(reason, [{ path: 'name', in: 'body', message: reason }], 'name-reserved');
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

export function domainRoutes(app: ApiInstance, { db, config, platform }: RouteDeps): void {
  const reserved = reservedNamesOf(platform);
  registerCustomerList(app, {
    path: '/customers/:id/domains',
    table: 'domains',
    search: 'name',
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
        response: answers({ 201: domainSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) => {
      assertNotReserved(req.body.name, reserved);
      // The key is made before the transaction: no row lock is held while the CPU works.
      const dkim = await dkimColumns(req.body.mail, config.secretKey);
      return changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        await assertChangeWithinPlan(trx, customer, { domains: 1 });
        await assertNoOverlap(
          trx,
          req,
          customer.id,
          req.body.name,
          platform.verification.releaseUnverifiedAfterDays,
        );
        // The unique index decides, not a read before the insert (one round trip less under the lock).
        const row = await insertDomain(trx, {
          customer_id: customer.id,
          name: req.body.name,
          dns: req.body.dns,
          mail: req.body.mail,
          dnssec: req.body.dnssec,
          webmail: req.body.webmail,
          ...dkim,
          verification_token: `hp-${randomBytes(16).toString('hex')}`,
        });
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
        const row = await updateDomain(trx, before.id, {
          dns: req.body.dns,
          mail: req.body.mail,
          dnssec: req.body.dnssec,
          webmail: req.body.webmail,
          // A domain keeps its first key; a new one is only made when it never had one.
          ...(before.dkim_selector ? {} : dkim),
        });
        return {
          body: presentDomain(row),
          action: 'domain.update',
          target: customerTarget(customer.id, 'domain', row.name),
          before: presentDomain(before),
        };
      });
    },
  );

  app.post(
    '/customers/:id/domains/:name/verify',
    {
      config: scoped,
      schema: {
        tags,
        summary:
          'check ownership now (202; the worker asks a recursive resolver, GET shows the result), or, for an admin, {method: "admin"} marks it verified by hand (200, audited)',
        params: domainParams,
        body: verifyDomainBody.nullish(),
        response: answers({ 200: domainSchema, 202: domainSchema }, 403, 404),
      },
    },
    async (req, reply) => {
      const byAdmin = req.body?.method === 'admin';
      if (byAdmin && req.principal?.user.role !== 'admin')
        throw new ForbiddenError('only an admin may mark a domain verified by hand');
      return mutate(db, req, reply, {
        status: byAdmin ? 200 : 202,
        customerId: req.params.id,
        // A check request changes no desired state; the worker bumps it when the result does.
        bumpGeneration: byAdmin,
        run: async (trx) => {
          const before = await findDomain(trx, req.params.id, req.params.name);
          if (byAdmin) {
            const note = req.body?.note ? `: ${req.body.note}` : '';
            await markVerifiedByAdmin(
              trx,
              before.id,
              `marked verified by ${req.principal?.user.email}${note}`,
            );
          } else {
            // The API never calls DNS inside a request: the worker checks, now, through the resolver.
            await requestVerificationNow(trx, before.id);
            await enqueueDomainVerification(trx);
          }
          const row = await findDomain(trx, req.params.id, req.params.name);
          return {
            body: presentDomain(row),
            audit: {
              action: byAdmin ? 'domain.verify.admin' : 'domain.verify.request',
              target: customerTarget(req.params.id, 'domain', row.name),
              before: presentDomain(before),
              after: presentDomain(row),
            },
          };
        },
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
        const inUse = await mailboxAtDomain(trx, customer.id, before.name);
        if (inUse)
          throw new ConflictError(
            `mailbox ${inUse.address} uses ${before.name}; delete the mailboxes first`,
            'domain-in-use',
          );
        await deleteDomainAndAliases(trx, customer.id, before);
        return {
          action: 'domain.delete',
          target: customerTarget(customer.id, 'domain', before.name),
          before: presentDomain(before),
        };
      }),
  );
}
