import { randomBytes } from 'node:crypto';
import type { PanelDatabase } from '@hostplane/db';
import type { PlatformConfig } from '@hostplane/platform';
import { createPanelScratchDb } from '@hostplane/testing';
import type { FastifyBaseLogger, FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { type BuildAppDeps, buildApp } from '../app.ts';
import { createApiToken } from '../auth/api-tokens.ts';
import { createAdminUser } from '../auth/users.ts';
import type { ApiConfigInput } from '../config.ts';

export interface TestApi {
  app: FastifyInstance;
  db: Kysely<PanelDatabase>;
  adminToken: string;
  close(): Promise<void>;
}

/** A fresh database per test file (so files never see each other's rows), migrated, with an admin token. */
export async function startTestApi(
  config: ApiConfigInput = {},
  logger?: FastifyBaseLogger,
  platform?: PlatformConfig,
  extra: Pick<
    BuildAppDeps,
    'mailUsage' | 'databaseDumps' | 'tenantReads' | 'siteLogs' | 'edgeCertificates'
  > = {},
): Promise<TestApi> {
  const scratch = await createPanelScratchDb('test', { max: 5 });
  const { db } = scratch;
  const app = await buildApp({
    db,
    config: { logLevel: 'silent', ...config },
    ...(logger ? { logger } : {}),
    ...(platform ? { platform } : {}),
    ...extra,
  });
  await app.ready();
  const adminId = await createAdminUser(db, 'admin@hostplane.test', 'admin-password-1');
  const { token } = await createApiToken(db, adminId, { name: 'tests', scope: 'write' });
  return {
    app,
    db,
    adminToken: token,
    async close() {
      await app.close();
      await scratch.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const basicLimits = {
  cpu: '2',
  memory: '4Gi',
  storage: '20Gi',
  sites: 5,
  domains: 5,
  mailboxes: 5,
  mailboxQuota: '5Gi',
  databases: 2,
  backupRetentionDays: 7,
};

export async function createPlan(
  api: TestApi,
  limits: Partial<typeof basicLimits> & { cronJobs?: number } = {},
  name = `plan-${randomBytes(3).toString('hex')}`,
) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/plans',
    headers: bearer(api.adminToken),
    payload: { name, limits: { ...basicLimits, ...limits } },
  });
  if (res.statusCode !== 201) throw new Error(`create plan: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number; name: string };
}

export interface TestCustomer {
  id: number;
  email: string;
  password: string;
  token: string;
}

/** A customer with its login and a write token of that login. */
export async function createCustomer(api: TestApi, planId: number): Promise<TestCustomer> {
  const email = `c-${randomBytes(4).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: bearer(api.adminToken),
    payload: { name: 'Test customer', email, planId, password },
  });
  if (res.statusCode !== 201) throw new Error(`create customer: ${res.statusCode} ${res.body}`);
  const id = (res.json() as { id: number }).id;
  const user = await api.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  const { token } = await createApiToken(api.db, user.id, { name: 'customer', scope: 'write' });
  return { id, email, password, token };
}

export function expectProblem(res: LightMyRequestResponse, status: number): Record<string, unknown> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${String(res.headers['content-type'])}: ${res.body}`);
  }
  return res.json() as Record<string, unknown>;
}

/**
 * The pending reconcile job of a customer (graphile-worker keeps one per customer: job key
 * reconcile-{id}, mode replace) and how many times it was (re)enqueued: revision counts the
 * replacements, so "nothing enqueued" shows as an unchanged revision.
 */
export async function reconcileJob(api: TestApi, customerId: number): Promise<{ enqueues: number } | null> {
  const r = await sql<{ revision: number }>`select revision from graphile_worker._private_jobs
    where key = ${`reconcile-${customerId}`}`.execute(api.db);
  const row = r.rows[0];
  return row ? { enqueues: row.revision + 1 } : null;
}
