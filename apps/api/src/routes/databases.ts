// Customer databases on the customer's own MariaDB (issue 16). Routes are wiring: names and rules come
// from @hostplane/domain, queries from @hostplane/db; the worker's Databases target makes them real.
import { randomBytes } from 'node:crypto';
import {
  createDatabaseBody,
  createDatabaseUserBody,
  createdDatabaseSchema,
  customerIdParams,
  type Database,
  databaseCredentialsSchema,
  databaseImportSchema,
  databaseParams,
  databaseSchema,
  databaseUserParams,
  updateDatabaseBody,
} from '@hostplane/contracts';
import {
  type CustomerDatabaseRecord,
  type CustomerDatabaseUserRecord,
  databaseUserNameTaken,
  deleteCustomerDatabase,
  deleteDatabaseUser,
  ensureDatabaseServer,
  findCustomerDatabase,
  findDatabaseUser,
  insertCustomerDatabase,
  insertDatabaseUser,
  listCustomerDatabases,
  listDatabaseUsers,
  type PanelDatabase,
  setDatabaseUserPassword,
  siteNamesOf,
  updateCustomerDatabaseSites,
} from '@hostplane/db';
import {
  DATABASE_SERVER_PORT,
  databaseHost,
  databaseNameIssues,
  databaseUserNameIssues,
} from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { openSecret, sealSecret } from '../auth/secrets.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../errors.ts';
import { findCustomer } from '../http/customers.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import type { ApiInstance } from '../types.ts';
import { changeForCustomer, customerTarget, deleteForCustomer, scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['databases'];
const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

function iso(value: Date): string {
  return value.toISOString();
}

function unprocessable(issues: { path: string[]; message: string }[], code: string): never {
  const errors = issues.map((i) => ({ path: i.path.join('.'), in: 'body' as const, message: i.message }));
  throw new UnprocessableError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors, code);
}

async function assertSitesExist(db: Db, customerId: number, sites: string[]): Promise<void> {
  const known = new Set(await siteNamesOf(db, customerId));
  const issues = sites.flatMap((site, i) =>
    known.has(site) ? [] : [{ path: ['sites', String(i)], message: `no site ${site}` }],
  );
  if (issues.length > 0) unprocessable(issues, 'unknown-site');
}

async function findDatabase(db: Db, customerId: number, name: string): Promise<CustomerDatabaseRecord> {
  await findCustomer(db, customerId);
  const row = await findCustomerDatabase(db, customerId, name);
  if (!row) throw new NotFoundError(`database ${name}`);
  return row;
}

export function databaseRoutes(app: ApiInstance, { db, platform, config, databaseDumps }: RouteDeps): void {
  app.addContentTypeParser(
    'application/sql',
    { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES },
    (_req, body, done) => done(null, body),
  );
  const hostOf = (customerId: number) => databaseHost(customerId, platform.clusterDomain);
  const present = (row: CustomerDatabaseRecord, users: CustomerDatabaseUserRecord[]): Database => ({
    name: row.name,
    sites: [...row.sites].sort(),
    host: hostOf(row.customer_id),
    port: DATABASE_SERVER_PORT,
    users: users
      .filter((u) => u.database_id === row.id)
      .map((u) => ({
        name: u.name,
        owner: u.owner,
        createdAt: iso(u.created_at),
        updatedAt: iso(u.updated_at),
      })),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  });
  const credentials = (customerId: number, database: string, username: string, password: string) => ({
    database,
    username,
    password,
    host: hostOf(customerId),
    port: DATABASE_SERVER_PORT,
  });

  app.get(
    '/customers/:id/databases',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        response: answers({ 200: z.object({ items: z.array(databaseSchema) }) }, 404),
      },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      const rows = await listCustomerDatabases(db, req.params.id);
      const users = await listDatabaseUsers(
        db,
        req.params.id,
        rows.map((r) => r.id),
      );
      return { items: rows.map((r) => present(r, users)) };
    },
  );

  app.post(
    '/customers/:id/databases',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: createDatabaseBody,
        response: answers({ 201: createdDatabaseSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const b = req.body;
        const issues = [...databaseNameIssues(b.name), ...databaseUserNameIssues(b.name)];
        if (issues.length > 0) unprocessable(issues.slice(0, 1), 'invalid-database');
        await assertSitesExist(trx, customer.id, b.sites);
        if (await findCustomerDatabase(trx, customer.id, b.name))
          throw new ConflictError(`database ${b.name} exists`);
        if (await databaseUserNameTaken(trx, customer.id, b.name))
          throw new ConflictError(`a database user ${b.name} exists`);
        await assertChangeWithinPlan(trx, customer, { databases: 1 });
        await ensureDatabaseServer(trx, customer.id, sealSecret(newPassword(), config.secretKey));
        const row = await insertCustomerDatabase(trx, customer.id, b.name, [...new Set(b.sites)].sort());
        const password = newPassword();
        const owner = await insertDatabaseUser(trx, {
          customerId: customer.id,
          databaseId: row.id,
          name: b.name,
          sealedPassword: sealSecret(password, config.secretKey),
          owner: true,
        });
        const database = present(row, [owner]);
        return {
          body: { ...database, credentials: credentials(customer.id, b.name, b.name, password) },
          after: database,
          action: 'database.create',
          target: customerTarget(customer.id, 'database', b.name),
        };
      }),
  );

  app.get(
    '/customers/:id/databases/:name',
    {
      config: scoped,
      schema: { tags, params: databaseParams, response: answers({ 200: databaseSchema }, 404) },
    },
    async (req) => {
      const row = await findDatabase(db, req.params.id, req.params.name);
      return present(row, await listDatabaseUsers(db, req.params.id, [row.id]));
    },
  );

  app.patch(
    '/customers/:id/databases/:name',
    {
      config: scoped,
      schema: {
        tags,
        params: databaseParams,
        body: updateDatabaseBody,
        response: answers({ 200: databaseSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = await findDatabase(trx, customer.id, req.params.name);
        await assertSitesExist(trx, customer.id, req.body.sites);
        const row = await updateCustomerDatabaseSites(trx, before.id, [...new Set(req.body.sites)].sort());
        const users = await listDatabaseUsers(trx, customer.id, [row.id]);
        return {
          body: present(row, users),
          before: present(before, users),
          action: 'database.update',
          target: customerTarget(customer.id, 'database', row.name),
        };
      }),
  );

  app.delete(
    '/customers/:id/databases/:name',
    {
      config: scoped,
      schema: { tags, params: databaseParams, response: answers({ 204: noContent }, 403, 404) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const before = await findDatabase(trx, customer.id, req.params.name);
        await deleteCustomerDatabase(trx, before.id);
        return {
          action: 'database.delete',
          target: customerTarget(customer.id, 'database', before.name),
          before: present(before, []),
        };
      }),
  );

  app.post(
    '/customers/:id/databases/:name/users',
    {
      config: scoped,
      schema: {
        tags,
        params: databaseParams,
        body: createDatabaseUserBody,
        response: answers({ 201: databaseCredentialsSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const database = await findDatabase(trx, customer.id, req.params.name);
        const issues = databaseUserNameIssues(req.body.name);
        if (issues.length > 0) unprocessable(issues, 'invalid-database-user');
        if (await databaseUserNameTaken(trx, customer.id, req.body.name))
          throw new ConflictError(`a database user ${req.body.name} exists`);
        const password = newPassword();
        await insertDatabaseUser(trx, {
          customerId: customer.id,
          databaseId: database.id,
          name: req.body.name,
          sealedPassword: sealSecret(password, config.secretKey),
          owner: false,
        });
        const body = credentials(customer.id, database.name, req.body.name, password);
        return {
          body,
          after: { database: database.name, username: req.body.name },
          action: 'database.user.create',
          target: customerTarget(customer.id, 'database-user', req.body.name),
        };
      }),
  );

  app.post(
    '/customers/:id/databases/:name/users/:user/password',
    {
      config: scoped,
      schema: {
        tags,
        params: databaseUserParams,
        response: answers({ 200: databaseCredentialsSchema }, 403, 404, 409),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const database = await findDatabase(trx, customer.id, req.params.name);
        const user = await findDatabaseUser(trx, customer.id, database.id, req.params.user);
        if (!user) throw new NotFoundError(`database user ${req.params.user}`);
        const password = newPassword();
        await setDatabaseUserPassword(trx, user.id, sealSecret(password, config.secretKey));
        return {
          body: credentials(customer.id, database.name, user.name, password),
          after: { database: database.name, username: user.name, password: 'reset' },
          action: 'database.user.password',
          target: customerTarget(customer.id, 'database-user', user.name),
        };
      }),
  );

  app.delete(
    '/customers/:id/databases/:name/users/:user',
    {
      config: scoped,
      schema: { tags, params: databaseUserParams, response: answers({ 204: noContent }, 403, 404, 409) },
    },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const database = await findDatabase(trx, customer.id, req.params.name);
        const user = await findDatabaseUser(trx, customer.id, database.id, req.params.user);
        if (!user) throw new NotFoundError(`database user ${req.params.user}`);
        if (user.owner)
          throw new ConflictError('the owner goes with its database; delete the database instead');
        await deleteDatabaseUser(trx, user.id);
        return {
          action: 'database.user.delete',
          target: customerTarget(customer.id, 'database-user', user.name),
          before: { database: database.name, username: user.name },
        };
      }),
  );

  /** The owner's login, opened from its sealed password: dump and import run as the database's owner. */
  async function ownerLogin(customerId: number, name: string) {
    const database = await findDatabase(db, customerId, name);
    const users = await listDatabaseUsers(db, customerId, [database.id]);
    const owner = users.find((u) => u.owner);
    if (!owner) throw new NotFoundError(`owner of database ${name}`);
    return {
      customerId,
      database: database.name,
      username: owner.name,
      password: openSecret(owner.password, config.secretKey),
    };
  }

  app.get(
    '/customers/:id/databases/:name/dump',
    {
      config: scoped,
      schema: {
        tags,
        params: databaseParams,
        description: 'The database as SQL (application/sql), streamed: schema, rows, routines and triggers.',
        produces: ['application/sql'],
        response: answers({ 200: z.string().describe('SQL') }, 404, 503),
      },
    },
    async (req, reply) => {
      const login = await ownerLogin(req.params.id, req.params.name);
      if (!databaseDumps) return unavailable(reply);
      const stream = await databaseDumps.dump(login);
      // A stream is sent as it comes (Fastify never serializes it against the schema).
      return reply
        .type('application/sql; charset=utf-8')
        .header('content-disposition', `attachment; filename="${login.database}.sql"`)
        .send(stream as unknown as string);
    },
  );

  app.post(
    '/customers/:id/databases/:name/import',
    {
      config: { ...scoped },
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        tags,
        params: databaseParams,
        description: `Runs SQL (Content-Type application/sql, at most ${IMPORT_MAX_BYTES / 1024 / 1024} MiB) in the database as its owner.`,
        response: answers({ 200: databaseImportSchema }, 403, 404, 413, 415, 422, 503),
      },
    },
    async (req, reply) => {
      const login = await ownerLogin(req.params.id, req.params.name);
      if (!databaseDumps) return unavailable(reply);
      const body = req.body;
      if (!Buffer.isBuffer(body))
        throw new UnprocessableError('send the SQL as the body with Content-Type application/sql', [
          { path: 'body', in: 'body', message: 'application/sql expected' },
        ]);
      const started = Date.now();
      const result = await databaseDumps.import(login, body);
      if (!result.ok)
        throw new UnprocessableError(
          result.message,
          [{ path: 'body', in: 'body', message: result.message }],
          'import-failed',
        );
      req.log.info(
        { customerId: login.customerId, database: login.database, bytes: body.length },
        'database import',
      );
      return { database: login.database, bytes: body.length, ms: Date.now() - started };
    },
  );
}

function unavailable(_reply: unknown): never {
  throw new ServiceUnavailableError('database export and import are not configured on this panel');
}
