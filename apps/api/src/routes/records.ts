import {
  createRecordBody,
  domainParams,
  pageOf,
  paginationQuery,
  putRecordBody,
  recordParams,
  recordSchema,
} from '@hostplane/contracts';
import { type DnsRecordRecord, deleteRrset, insertRrset, pageDomainRrsets, upsertRrset } from '@hostplane/db';
import { type DnsRecordRow, managedReason } from '@hostplane/domain';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { checkRrset, ownerFromPath, readOnlyRecord, recordContext, toRow } from '../http/dns-rules.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import type { ApiInstance } from '../types.ts';
import { changeForCustomer, deleteForCustomer, scoped } from './customer-scoped.ts';
import { findDomain } from './domains.ts';
import type { RouteDeps } from './index.ts';
import { managedRrsets } from './managed-records.ts';

const tags = ['dns'];
const target = (customerId: number, domain: string, type: string, name: string) =>
  `customer/${customerId}/domain/${domain}/record/${type}/${name}`;

/** A customer rrset as answered (a row is never platform-managed). */
const customerRrset = (row: DnsRecordRecord | DnsRecordRow) => ({
  ...toRow(row as DnsRecordRecord),
  managed: false,
});

export function recordRoutes(app: ApiInstance, { db, platform }: RouteDeps): void {
  const base = '/customers/:id/domains/:name/records';
  app.get(
    base,
    {
      config: scoped,
      schema: {
        tags,
        params: domainParams,
        querystring: paginationQuery,
        response: answers({ 200: pageOf(recordSchema) }, 404),
      },
    },
    async (req) => {
      const domain = await findDomain(db, req.params.id, req.params.name);
      const rows = await pageDomainRrsets(db, domain.id, decodeCursor(req.query.cursor), req.query.limit);
      const page = toPage(rows, req.query, customerRrset);
      // The platform's read-only rrsets lead the first page (they are not rows, so not paged).
      if (req.query.cursor) return page;
      const managed = await managedRrsets(db, req.params.id, domain.name, platform);
      return { ...page, items: [...managed, ...page.items] };
    },
  );

  app.post(
    base,
    {
      config: scoped,
      schema: {
        tags,
        summary: 'create an rrset',
        params: domainParams,
        body: createRecordBody,
        response: answers({ 201: recordSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const domain = await findDomain(trx, customer.id, req.params.name);
        const rrset = checkRrset(req.body, await recordContext(trx, customer.id, domain));
        await assertChangeWithinPlan(trx, customer, { dnsRecords: 1 });
        const row = await insertRrset(trx, domain.id, rrset);
        if (!row)
          throw new ConflictError(`${rrset.type} ${rrset.name} exists; PUT replaces it`, 'record-exists');
        return {
          body: customerRrset(row),
          action: 'record.create',
          target: target(customer.id, domain.name, row.type, row.name),
          after: toRow(row),
        };
      }),
  );

  app.put(
    `${base}/:type/:fqdn`,
    {
      config: scoped,
      schema: {
        tags,
        summary: 'create or replace an rrset',
        params: recordParams,
        body: putRecordBody,
        response: answers({ 200: recordSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const domain = await findDomain(trx, customer.id, req.params.name);
        const ctx = await recordContext(trx, customer.id, domain);
        const name = ownerFromPath(req.params.fqdn, ctx);
        const { type } = req.params;
        if (
          (req.body.name !== undefined && ownerFromPath(req.body.name, ctx) !== name) ||
          (req.body.type !== undefined && req.body.type !== type)
        ) {
          throw new UnprocessableError('name and type in the body must match the path', [
            { path: 'name', in: 'body', message: 'differs from the path' },
          ]);
        }
        const rrset = checkRrset({ name, type, ttl: req.body.ttl, records: req.body.records }, ctx);
        const before = ctx.existing.find((r) => r.name === name && r.type === type);
        if (!before) await assertChangeWithinPlan(trx, customer, { dnsRecords: 1 });
        const row = await upsertRrset(trx, domain.id, rrset);
        return {
          body: customerRrset(row),
          action: 'record.put',
          target: target(customer.id, domain.name, type, name),
          before,
          after: toRow(row),
        };
      }),
  );

  app.delete(
    `${base}/:type/:fqdn`,
    {
      config: scoped,
      schema: { tags, params: recordParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const { type, fqdn } = req.params;
        const domain = await findDomain(trx, customer.id, req.params.name);
        const ctx = await recordContext(trx, customer.id, domain);
        const name = ownerFromPath(fqdn, ctx);
        const readOnly = managedReason(name, type, ctx);
        if (readOnly) {
          throw readOnlyRecord(`${type} ${name}: ${readOnly}; it is read-only`, [
            { path: 'fqdn', in: 'params', message: readOnly },
          ]);
        }
        const gone = await deleteRrset(trx, domain.id, name, type);
        if (!gone) throw new NotFoundError(`${type} record ${name}`);
        return {
          action: 'record.delete',
          target: target(customer.id, domain.name, type, name),
          before: toRow(gone),
        };
      }),
  );
}
