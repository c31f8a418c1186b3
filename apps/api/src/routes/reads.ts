import {
  aliasParams,
  aliasSchema,
  auditEntrySchema,
  auditQuery,
  backupParams,
  backupSchema,
  customerIdParams,
  mailboxParams,
  mailboxSchema,
  pageOf,
  recordParams,
  recordSchema,
} from '@hostplane/contracts';
import { type AuditRow, findRrset, type PanelDatabase, pageAuditRows } from '@hostplane/db';
import type { Kysely } from 'kysely';
import { NotFoundError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { ownerFromPath, recordContext, toRow } from '../http/dns-rules.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers } from '../http/responses.ts';
import { presentAlias, presentBackup, presentMailbox } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import { findOwned, scoped } from './customer-scoped.ts';
import { findDomain } from './domains.ts';
import type { RouteDeps } from './index.ts';
import { managedRrsets } from './managed-records.ts';

function presentAudit(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    target: row.target,
    customerId: row.customer_id,
    actorUserId: row.actor_user_id,
    actorTokenId: row.actor_token_id,
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** One page of audit entries, newest last (keyset on id), optionally for one customer and action. */
function auditPage(
  db: Kysely<PanelDatabase>,
  query: { limit: number; cursor?: string | undefined; action?: string | undefined },
  customerId: number | undefined,
) {
  return pageAuditRows(db, {
    after: decodeCursor(query.cursor),
    limit: query.limit,
    customerId,
    action: query.action,
  }).then((rows) => toPage(rows, query, presentAudit));
}

/**
 * Single reads of a customer's resources and the audit log: wiring only (schema, access, query,
 * answer). Another customer's id answers 404 by the scoped access rule; an unknown name 404.
 */
export function readRoutes(app: ApiInstance, { db, platform }: RouteDeps): void {
  app.get(
    '/customers/:id/backups/:name',
    {
      config: scoped,
      schema: {
        tags: ['backups'],
        summary: 'one backup of this customer',
        params: backupParams,
        response: answers({ 200: backupSchema }, 404),
      },
    },
    async (req) =>
      presentBackup(
        await findOwned(db, 'backups', req.params.id, {
          column: 'name',
          value: req.params.name,
          what: 'backup',
        }),
      ),
  );

  app.get(
    '/customers/:id/mailboxes/:address',
    {
      config: scoped,
      schema: {
        tags: ['mail'],
        summary: 'one mailbox of this customer',
        params: mailboxParams,
        response: answers({ 200: mailboxSchema }, 404),
      },
    },
    async (req) =>
      presentMailbox(
        await findOwned(db, 'mailboxes', req.params.id, {
          column: 'address',
          value: req.params.address,
          what: 'mailbox',
        }),
      ),
  );

  app.get(
    '/customers/:id/aliases/:source',
    {
      config: scoped,
      schema: {
        tags: ['mail'],
        summary: 'one alias of this customer',
        params: aliasParams,
        response: answers({ 200: aliasSchema }, 404),
      },
    },
    async (req) =>
      presentAlias(
        await findOwned(db, 'aliases', req.params.id, {
          column: 'source',
          value: req.params.source,
          what: 'alias',
        }),
      ),
  );

  app.get(
    '/customers/:id/domains/:name/records/:type/:fqdn',
    {
      config: scoped,
      schema: {
        tags: ['dns'],
        summary: 'one rrset of this domain (a customer rrset or a platform-managed one)',
        params: recordParams,
        response: answers({ 200: recordSchema }, 404, 422),
      },
    },
    async (req) => {
      const domain = await findDomain(db, req.params.id, req.params.name);
      const ctx = await recordContext(db, req.params.id, domain);
      const name = ownerFromPath(req.params.fqdn, ctx);
      const { type } = req.params;
      const row = await findRrset(db, domain.id, name, type);
      if (row) return { ...toRow(row), managed: false };
      const managed = (await managedRrsets(db, req.params.id, domain.name, platform)).find(
        (r) => r.name === name && r.type === type,
      );
      if (managed) return managed;
      throw new NotFoundError(`rrset ${type} ${req.params.fqdn}`);
    },
  );

  app.get(
    '/audit',
    {
      config: { access: 'user' },
      schema: {
        tags: ['audit'],
        summary:
          'audit log: an admin reads every entry (filter by customerId, action), a customer user its own',
        querystring: auditQuery,
        response: answers({ 200: pageOf(auditEntrySchema) }, 404),
      },
    },
    async (req) => {
      const { user } = req.principal!;
      let customerId = req.query.customerId;
      if (user.role !== 'admin') {
        // A customer user reads its own entries; naming another customer is 404, as everywhere.
        if (customerId !== undefined && customerId !== user.customerId) throw new NotFoundError('customer');
        customerId = user.customerId ?? -1;
      }
      return auditPage(db, req.query, customerId);
    },
  );

  app.get(
    '/customers/:id/audit',
    {
      config: scoped,
      schema: {
        tags: ['audit'],
        summary: "this customer's audit entries",
        params: customerIdParams,
        querystring: auditQuery.omit({ customerId: true }),
        response: answers({ 200: pageOf(auditEntrySchema) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      return auditPage(db, req.query, req.params.id);
    },
  );
}
