import {
  checkRecordContents,
  createRecordBody,
  domainParams,
  pageOf,
  paginationQuery,
  putRecordBody,
  type RecordType,
  recordParams,
  recordSchema,
} from '@hostplane/contracts';
import type { DnsRecordRecord } from '@hostplane/db';
import { sql } from 'kysely';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers, noContent } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import { findDomain } from './domains.ts';
import type { RouteDeps } from './index.ts';

const tags = ['dns'];
const scoped = { access: 'user', customerScoped: true } as const;

const present = (r: DnsRecordRecord) => ({ name: r.name, type: r.type, ttl: r.ttl, records: r.records });

function assertInside(domain: string, name: string, type: string): void {
  if (name !== domain && !name.endsWith(`.${domain}`)) {
    throw new UnprocessableError(`${name} is not inside ${domain}`, [
      { path: 'name', in: 'body', message: `must be ${domain} or end with .${domain}` },
    ]);
  }
  if (type === 'CNAME' && name === domain) {
    throw new UnprocessableError('a CNAME cannot sit at the zone apex', [
      { path: 'type', in: 'body', message: 'no CNAME at the apex' },
    ]);
  }
}

export function recordRoutes(app: ApiInstance, { db }: RouteDeps): void {
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
      const rows = await db
        .selectFrom('dns_records')
        .selectAll()
        .where('domain_id', '=', domain.id)
        .where('id', '>', decodeCursor(req.query.cursor))
        .orderBy('id')
        .limit(req.query.limit + 1)
        .execute();
      return toPage(rows, req.query, present);
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
      mutate(db, req, reply, {
        status: 201,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const domain = await findDomain(trx, customer!.id, req.params.name);
          const b = req.body;
          assertInside(domain.name, b.name, b.type);
          const row = await trx
            .insertInto('dns_records')
            .values({ domain_id: domain.id, name: b.name, type: b.type, ttl: b.ttl, records: b.records })
            .onConflict((oc) => oc.columns(['domain_id', 'name', 'type']).doNothing())
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new ConflictError(`${b.type} ${b.name} exists; PUT replaces it`, 'record-exists');
          return {
            body: present(row),
            audit: {
              action: 'record.create',
              target: `customer/${customer!.id}/domain/${domain.name}/record/${b.type}/${b.name}`,
              after: present(row),
            },
          };
        },
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
        response: answers({ 200: recordSchema }, 403, 404, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 200,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const { type, fqdn } = req.params;
          const b = req.body;
          if ((b.name !== undefined && b.name !== fqdn) || (b.type !== undefined && b.type !== type)) {
            throw new UnprocessableError('name and type in the body must match the path', [
              { path: 'name', in: 'body', message: 'differs from the path' },
            ]);
          }
          const records = parseContents(type, b.records);
          const domain = await findDomain(trx, customer!.id, req.params.name);
          assertInside(domain.name, fqdn, type);
          const before = await trx
            .selectFrom('dns_records')
            .selectAll()
            .where('domain_id', '=', domain.id)
            .where('name', '=', fqdn)
            .where('type', '=', type)
            .executeTakeFirst();
          const row = await trx
            .insertInto('dns_records')
            .values({ domain_id: domain.id, name: fqdn, type, ttl: b.ttl, records })
            .onConflict((oc) =>
              oc
                .columns(['domain_id', 'name', 'type'])
                .doUpdateSet({ ttl: b.ttl, records, updated_at: sql`now()` }),
            )
            .returningAll()
            .executeTakeFirstOrThrow();
          return {
            body: present(row),
            audit: {
              action: 'record.put',
              target: `customer/${customer!.id}/domain/${domain.name}/record/${type}/${fqdn}`,
              before: before ? present(before) : undefined,
              after: present(row),
            },
          };
        },
      }),
  );

  app.delete(
    `${base}/:type/:fqdn`,
    {
      config: scoped,
      schema: { tags, params: recordParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) => {
      await mutate(db, req, reply, {
        status: 204,
        customerId: req.params.id,
        run: async (trx, customer) => {
          const { type, fqdn } = req.params;
          const domain = await findDomain(trx, customer!.id, req.params.name);
          const gone = await trx
            .deleteFrom('dns_records')
            .where('domain_id', '=', domain.id)
            .where('name', '=', fqdn)
            .where('type', '=', type)
            .returningAll()
            .executeTakeFirst();
          if (!gone) throw new NotFoundError(`${type} record ${fqdn}`);
          return {
            body: undefined,
            audit: {
              action: 'record.delete',
              target: `customer/${customer!.id}/domain/${domain.name}/record/${type}/${fqdn}`,
              before: present(gone),
            },
          };
        },
      });
      return reply.send(null);
    },
  );
}

/** PUT takes its type from the path, so its contents are checked here rather than in the body schema. */
function parseContents(type: RecordType, records: string[]): string[] {
  const checked = checkRecordContents(type, records);
  if (checked.invalid.length > 0) {
    const errors = checked.invalid.map((i) => ({
      path: `records.${i}`,
      in: 'body' as const,
      message: `not a valid ${type} record`,
    }));
    throw new BadRequestError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
  return checked.records;
}
