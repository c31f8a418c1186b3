// Issue 9, "the panel's edges": internal metrics port, login throttling behind proxies, TOTP replay
// under concurrency, token lifetimes, validation that agrees with the database, more plan limits.
import { loadCustomerSnapshot } from '@hostplane/db';
import { openSnapshotSecrets, retainedDatabaseSites } from '@hostplane/domain';
import Fastify from 'fastify';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { handleError } from './error-handler.ts';
import { createInternalServer, listenInternal } from './internal-server.ts';
import { createRegistry } from './observability.ts';
import {
  basicLimits,
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

const DELAY_MS = 1200;
let api: TestApi;
let admin: { authorization: string };
let planId: number;

beforeAll(async () => {
  api = await startTestApi({
    loginFailuresPerAccount: 3,
    loginFailuresPerIp: 6,
    loginThrottleDelayMs: DELAY_MS,
    secretKey: 'test-secret-key-0123456789',
    // One proxy (the web panel's) in front of the API.
    trustProxy: 1,
  });
  admin = bearer(api.adminToken);
  planId = (await createPlan(api, { mailboxes: 10, domains: 10 })).id;
});
afterAll(async () => api?.close());

async function failuresFor(key: string): Promise<number> {
  const rows = await api.db.selectFrom('login_failures').select('id').where('key', '=', key).execute();
  return rows.length;
}

async function session(c: TestCustomer, remoteAddress = '127.0.0.1') {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: c.email, password: c.password },
    remoteAddress,
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = `hp_session=${res.cookies.find((k) => k.name === 'hp_session')!.value}`;
  return { cookie, 'x-csrf-token': res.json().csrfToken as string };
}

describe('METRICS_PORT', () => {
  it('serves /metrics and the detailed /readyz only on the internal listener', async () => {
    const registry = createRegistry();
    const app = await buildApp({ db: api.db, config: { logLevel: 'silent' }, metricsRegistry: registry });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const internal = createInternalServer({ db: api.db, registry });
    await listenInternal(internal, 0, '127.0.0.1');
    try {
      const address = app.server.address();
      const internalAddress = internal.address();
      if (!address || typeof address === 'string' || !internalAddress || typeof internalAddress === 'string')
        throw new Error('no port');
      const pub = `http://127.0.0.1:${address.port}`;
      const priv = `http://127.0.0.1:${internalAddress.port}`;
      expect((await fetch(`${pub}/metrics`)).status).toBe(404);
      expect((await fetch(`${pub}/readyz`)).status).toBe(404);
      expect((await fetch(`${pub}/healthz`)).status).toBe(200);
      const ready = await fetch(`${priv}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } });
      const metrics = await (await fetch(`${priv}/metrics`)).text();
      expect(metrics).toMatch(
        /hostplane_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1/,
      );
    } finally {
      await app.close();
      await new Promise((resolve) => internal.close(resolve));
    }
  });
});

describe('login throttling', () => {
  it('believes one proxy hop of X-Forwarded-For, not an address the client wrote itself', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.test', password: 'wrong' },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.66, 198.51.100.23' },
    });
    expectProblem(res, 401);
    expect(await failuresFor('ip:198.51.100.23')).toBe(1);
    expect(await failuresFor('ip:203.0.113.66')).toBe(0);
  });

  it('delays, never refuses, the right password of an account under attack', async () => {
    const victim = await createCustomer(api, planId);
    for (let i = 0; i < 4; i++) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: victim.email, password: 'guess' },
        remoteAddress: `192.0.2.${10 + i}`,
      });
      expectProblem(res, 401);
    }
    const started = Date.now();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: victim.email, password: victim.password },
      remoteAddress: '192.0.2.99',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS - 50);
  });

  it('throttles the password re-checks of /auth/password and TOTP disable per address', async () => {
    const c = await createCustomer(api, planId);
    const headers = await session(c, '192.0.2.200');
    const attempt = (url: string, payload: object) =>
      api.app.inject({ method: 'POST', url, headers, payload, remoteAddress: '192.0.2.200' });
    for (let i = 0; i < 3; i++)
      expectProblem(
        await attempt('/api/v1/auth/password', {
          currentPassword: 'wrong-one-1',
          newPassword: 'new-password-1',
        }),
        403,
      );
    for (let i = 0; i < 3; i++)
      expectProblem(await attempt('/api/v1/auth/totp/disable', { password: 'wrong-one-1' }), 403);
    const blocked = await attempt('/api/v1/auth/password', {
      currentPassword: c.password,
      newPassword: 'new-password-1',
    });
    expectProblem(blocked, 429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expectProblem(await attempt('/api/v1/auth/totp/disable', { password: c.password }), 429);
  });

  it('lets one TOTP code sign in once, even with two logins racing', async () => {
    const c = await createCustomer(api, planId);
    const headers = await session(c, '192.0.2.150');
    const setup = await api.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers });
    const { secret } = setup.json();
    const enable = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/enable',
      headers,
      payload: { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 }) },
    });
    expect(enable.statusCode, enable.body).toBe(200);
    const code = await generate({ secret });
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        api.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: c.email, password: c.password, totp: code },
          remoteAddress: `192.0.2.${160 + i}`,
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
  });
});

describe('tokens', () => {
  it('never outlive the token that mints them', async () => {
    const c = await createCustomer(api, planId);
    const parentExpiry = new Date(Date.now() + 3600_000).toISOString();
    const parent = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(c.token),
      payload: { name: 'short', expiresAt: parentExpiry },
    });
    expect(parent.statusCode, parent.body).toBe(201);
    const parentToken = parent.json().token as string;
    const capped = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(parentToken),
      payload: { name: 'child' },
    });
    expect(capped.statusCode, capped.body).toBe(201);
    expect(capped.json().expiresAt).toBe(parentExpiry);
    const longer = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(parentToken),
      payload: { name: 'child', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    });
    const problem = expectProblem(longer, 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'expiresAt' })]);
  });
});

describe('validation agrees with the database and the targets', () => {
  let c: TestCustomer;
  beforeAll(async () => {
    c = await createCustomer(api, planId);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/domains`,
      headers: admin,
      payload: { name: 'valid.test' },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
  const post = (path: string, payload: object) =>
    api.app.inject({ method: 'POST', url: `/api/v1/customers/${c.id}/${path}`, headers: admin, payload });

  it.each([
    ['quota 0', { address: 'zero@valid.test', password: 'long-enough-pw', quota: '0' }, 'quota'],
    ['quota 0Gi', { address: 'zero@valid.test', password: 'long-enough-pw', quota: '0Gi' }, 'quota'],
    ['a slash in the local part', { address: 'a/b@valid.test', password: 'long-enough-pw' }, 'address'],
    ['two dots in the local part', { address: 'a..b@valid.test', password: 'long-enough-pw' }, 'address'],
    ['a local part of ..', { address: '..@valid.test', password: 'long-enough-pw' }, 'address'],
  ])('mailbox with %s → 422 naming the field, nothing stored', async (_name, payload, field) => {
    const problem = expectProblem(await post('mailboxes', payload), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: field })]);
    const rows = await api.db.selectFrom('mailboxes').select('id').where('customer_id', '=', c.id).execute();
    expect(rows).toEqual([]);
  });

  it('refuses a quota of 0 on update too', async () => {
    expect(
      (await post('mailboxes', { address: 'ok@valid.test', password: 'long-enough-pw' })).statusCode,
    ).toBe(201);
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/${c.id}/mailboxes/ok@valid.test`,
      headers: admin,
      payload: { quota: '0' },
    });
    expect(expectProblem(res, 422).errors).toEqual([expect.objectContaining({ path: 'quota' })]);
  });

  it('maps a CHECK the database itself enforces to 422 with the field, a unique one to 409', async () => {
    // The routes check first; this is the last line behind them: real PostgreSQL errors through
    // the one error handler of the API.
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    app.post('/raw', async (req) => {
      const { quota, address } = req.body as { quota: number; address: string };
      await api.db
        .insertInto('mailboxes')
        .values({ customer_id: c.id, address, password_hash: 'x', quota_bytes: quota, enabled: true })
        .execute();
      return { ok: true };
    });
    const check = await app.inject({
      method: 'POST',
      url: '/raw',
      payload: { quota: 0, address: 'raw@valid.test' },
    });
    expect(expectProblem(check, 422).errors).toEqual([expect.objectContaining({ path: 'quota' })]);
    const unique = await app.inject({
      method: 'POST',
      url: '/raw',
      payload: { quota: 1, address: 'ok@valid.test' },
    });
    expectProblem(unique, 409);
    await app.close();
  });

  it('refuses backupRetentionDays 0 with the field', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: { name: 'no-retention', limits: { ...basicLimits, backupRetentionDays: 0 } },
    });
    expect(expectProblem(res, 422).errors).toEqual([
      expect.objectContaining({ path: 'limits.backupRetentionDays' }),
    ]);
  });
});

describe('site database passwords', () => {
  it('are sealed at rest like TOTP seeds, and the worker opens them with SECRET_KEY', async () => {
    const c = await createCustomer(api, planId);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/sites`,
      headers: admin,
      payload: { name: 'blog', template: 'php', database: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    const snapshot = (await loadCustomerSnapshot(api.db, c.id))!;
    const stored = snapshot.sites[0]!.databasePassword!;
    expect(stored).toMatch(/^v1:/);
    const opened = openSnapshotSecrets(snapshot, 'test-secret-key-0123456789').sites[0]!.databasePassword!;
    expect(opened).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(stored).not.toContain(opened);
    expect(() => openSnapshotSecrets(snapshot, 'another-key-0123456789')).toThrow();
  });
});

describe('turning a site database off', () => {
  it('keeps its data unless deleteData is given, and says which', async () => {
    const c = await createCustomer(api, planId);
    const url = `/api/v1/customers/${c.id}/sites`;
    const created = await api.app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: { name: 'shop', template: 'php', database: true },
    });
    expect(created.json().databaseData).toBe('active');
    const patch = (payload: object) =>
      api.app.inject({ method: 'PATCH', url: `${url}/shop`, headers: admin, payload });
    const off = await patch({ database: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ database: false, databaseData: 'retained' });
    const snapshot = (await loadCustomerSnapshot(api.db, c.id))!;
    expect(retainedDatabaseSites(snapshot)).toEqual(['shop']);
    const on = await patch({ database: true });
    expect(on.json()).toMatchObject({ database: true, databaseData: 'active' });
    expect((await loadCustomerSnapshot(api.db, c.id))!.sites[0]!.databasePassword).toBe(
      snapshot.sites[0]!.databasePassword,
    );
    expect(expectProblem(await patch({ deleteData: true }), 422).errors).toEqual([
      expect.objectContaining({ path: 'deleteData' }),
    ]);
    const gone = await patch({ database: false, deleteData: true });
    expect(gone.json()).toMatchObject({ database: false, databaseData: 'none' });
    expect(retainedDatabaseSites((await loadCustomerSnapshot(api.db, c.id))!)).toEqual([]);
  });
});

describe('plan limits beyond sites, domains and mailboxes', () => {
  it('count aliases and destinations per alias, with defaults when the plan leaves them out', async () => {
    const plain = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: { name: 'as-in-design', limits: basicLimits },
    });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json().limits).toMatchObject({
      aliases: 100,
      destinationsPerAlias: 20,
      dnsRecords: 200,
      backupsPerDay: 4,
      restoresPerDay: 4,
    });
    const small = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: {
        name: 'tiny-mail',
        limits: {
          ...basicLimits,
          aliases: 1,
          destinationsPerAlias: 2,
          dnsRecords: 1,
          backupsPerDay: 1,
          restoresPerDay: 1,
        },
      },
    });
    expect(small.statusCode, small.body).toBe(201);
    const c = await createCustomer(api, small.json().id);
    const post = (path: string, payload: object) =>
      api.app.inject({ method: 'POST', url: `/api/v1/customers/${c.id}/${path}`, headers: admin, payload });
    expect((await post('domains', { name: 'tiny.test' })).statusCode).toBe(201);
    const many = await post('aliases', {
      source: 'a@tiny.test',
      destinations: ['x@example.test', 'y@example.test', 'z@example.test'],
    });
    expect(expectProblem(many, 409).type).toMatch(/plan-limit$/);
    expect(
      (await post('aliases', { source: 'a@tiny.test', destinations: ['x@example.test'] })).statusCode,
    ).toBe(201);
    expect(
      expectProblem(await post('aliases', { source: 'b@tiny.test', destinations: ['x@example.test'] }), 409)
        .type,
    ).toMatch(/plan-limit$/);
    const rrset = { name: 'www.tiny.test', type: 'A', ttl: 300, records: ['192.0.2.1'] };
    expect((await post('domains/tiny.test/records', rrset)).statusCode).toBe(201);
    expect(
      expectProblem(await post('domains/tiny.test/records', { ...rrset, name: 'shop.tiny.test' }), 409).type,
    ).toMatch(/plan-limit$/);
    expect((await post('backups', {})).statusCode).toBe(201);
    expect(expectProblem(await post('backups', {}), 409).type).toMatch(/plan-limit$/);
  });
});
