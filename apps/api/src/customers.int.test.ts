import { loadCustomerSnapshot } from '@hostplane/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicLimits,
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  reconcileJob,
  startTestApi,
  type TestApi,
} from './testing/harness.ts';

let api: TestApi;
let admin: { authorization: string };

beforeAll(async () => {
  api = await startTestApi();
  admin = bearer(api.adminToken);
});
afterAll(async () => api?.close());

describe('plans', () => {
  it('creates, lists with cursor pagination and patches', async () => {
    const created = [];
    for (const name of ['Starter', 'Pro', 'Business']) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/v1/plans',
        headers: admin,
        payload: { name, limits: basicLimits },
      });
      expect(res.statusCode, res.body).toBe(201);
      created.push(res.json());
    }
    expect(created[0]).toMatchObject({ name: 'Starter', limits: basicLimits });
    const page1 = (await api.app.inject({ url: '/api/v1/plans?limit=2', headers: admin })).json();
    expect(page1.items.map((p: { name: string }) => p.name)).toEqual(['Starter', 'Pro']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await api.app.inject({ url: `/api/v1/plans?limit=2&cursor=${page1.nextCursor}`, headers: admin })
    ).json();
    expect(page2.items.map((p: { name: string }) => p.name)).toEqual(['Business']);
    expect(page2.nextCursor).toBeNull();
    const patched = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/plans/${created[1].id}`,
      headers: admin,
      payload: { limits: { ...basicLimits, sites: 9 } },
    });
    expect(patched.json().limits.sites).toBe(9);
  });

  it('rejects bad limits with field paths and writes nothing', async () => {
    const before = await api.db
      .selectFrom('plans')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: { name: 'Bad', limits: { ...basicLimits, memory: '4 gigs', sites: -1, surprise: true } },
    });
    const problem = expectProblem(res, 422);
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'limits.memory',
      'limits.sites',
      'limits.surprise',
    ]);
    const after = await api.db
      .selectFrom('plans')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses a duplicate name with 409', async () => {
    await createPlan(api, {}, 'Unique');
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: { name: 'Unique', limits: basicLimits },
    });
    expectProblem(res, 409);
  });
});

describe('customers', () => {
  it('creates a customer with its login, namespace cust-{id}, ids from 1001, and enqueues a reconcile', async () => {
    const plan = await createPlan(api);
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: admin,
      payload: { name: 'ACME', email: 'Ops@ACME.test', planId: plan.id, password: 'acme-password-1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'ACME',
      email: 'ops@acme.test',
      planId: plan.id,
      namespace: `cust-${body.id}`,
      suspended: false,
      status: { ready: false, conditions: [] },
    });
    expect(body.id).toBeGreaterThanOrEqual(1001);
    expect(body).not.toHaveProperty('password');
    const user = await api.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'ops@acme.test')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ role: 'customer', customer_id: body.id });
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(await reconcileJob(api, body.id)).toEqual({ enqueues: 1 });
    const got = await api.app.inject({ url: `/api/v1/customers/${body.id}`, headers: admin });
    expect(got.json()).toEqual(body);
  });

  it('reports conditions and ready from the reconciler rows', async () => {
    const plan = await createPlan(api);
    const c = await createCustomer(api, plan.id);
    const row = await api.db
      .selectFrom('customers')
      .select('generation')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    await api.db
      .insertInto('customer_conditions')
      .values({
        customer_id: c.id,
        type: 'Customer',
        status: 'True',
        reason: 'Ready',
        message: 'ok',
        observed_generation: row.generation,
        updated_at: new Date(),
      })
      .execute();
    const got = (await api.app.inject({ url: `/api/v1/customers/${c.id}`, headers: bearer(c.token) })).json();
    expect(got.status.ready).toBe(true);
    expect(got.status.conditions[0]).toMatchObject({
      type: 'Customer',
      status: 'True',
      observedGeneration: row.generation,
    });
  });

  it('patches plan and suspension, bumping the generation; unknown plan → 422', async () => {
    const plan = await createPlan(api);
    const bigger = await createPlan(api, { sites: 50 });
    const c = await createCustomer(api, plan.id);
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/${c.id}`,
      headers: admin,
      payload: { planId: bigger.id, suspended: true },
    });
    expect(res.json()).toMatchObject({ planId: bigger.id, suspended: true, generation: 2 });
    expectProblem(
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/customers/${c.id}`,
        headers: admin,
        payload: { planId: 999_999 },
      }),
      422,
    );
  });

  it('DELETE marks the customer deleting (202); once the reconciler sets deleted_at, GET answers 404', async () => {
    const plan = await createPlan(api);
    const c = await createCustomer(api, plan.id);
    const res = await api.app.inject({ method: 'DELETE', url: `/api/v1/customers/${c.id}`, headers: admin });
    expect(res.statusCode).toBe(202);
    expect((await api.app.inject({ url: `/api/v1/customers/${c.id}`, headers: admin })).json().deleting).toBe(
      true,
    );
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/sites`,
        headers: admin,
        payload: { name: 'late', template: 'static' },
      }),
      409,
    );
    await api.db.updateTable('customers').set({ deleted_at: new Date() }).where('id', '=', c.id).execute();
    expectProblem(await api.app.inject({ url: `/api/v1/customers/${c.id}`, headers: admin }), 404);
    expect(await loadCustomerSnapshot(api.db, c.id)).toBeNull();
  });

  it('POST /customers/{id}/reconcile queues a pass without changing the generation', async () => {
    const plan = await createPlan(api);
    const c = await createCustomer(api, plan.id);
    const before = (await reconcileJob(api, c.id))!.enqueues;
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/reconcile`,
      headers: admin,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: c.id, generation: 1 });
    expect(await reconcileJob(api, c.id)).toEqual({ enqueues: before + 1 });
    // An admin's "reconcile now" is a full pass (every target reads everything it owns); a
    // mutation after it keeps the pending pass full.
    const full = async () =>
      (
        await sql<{ full: boolean }>`select (payload->>'full')::boolean as full
          from graphile_worker._private_jobs where key = ${`reconcile-${c.id}`}`.execute(api.db)
      ).rows[0]?.full;
    expect(await full()).toBe(true);
    const site = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/sites`,
      headers: bearer(c.token),
      payload: { name: 'after-resync', template: 'static' },
    });
    expect(site.statusCode, site.body).toBe(201);
    expect(await full()).toBe(true);
  });
});

describe('plan limits', () => {
  it('answers the sixth site on a plan of five with 409 naming the limit, and writes nothing', async () => {
    const plan = await createPlan(api, { sites: 5 });
    const c = await createCustomer(api, plan.id);
    for (let i = 1; i <= 5; i++) {
      const res = await api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/sites`,
        headers: bearer(c.token),
        payload: { name: `site-${i}`, template: 'static' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const gen = async () =>
      (
        await api.db
          .selectFrom('customers')
          .select('generation')
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow()
      ).generation;
    const before = await gen();
    const sixth = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/sites`,
      headers: bearer(c.token),
      payload: { name: 'site-6', template: 'static' },
    });
    const problem = expectProblem(sixth, 409);
    expect(problem.detail).toMatch(/allows 5 sites \(limit sites\)/);
    expect(
      await api.db.selectFrom('sites').select('name').where('customer_id', '=', c.id).execute(),
    ).toHaveLength(5);
    expect(await gen()).toBe(before);
  });

  it('limits databases, domains, mailboxes and the total mailbox quota', async () => {
    const plan = await createPlan(api, { databases: 1, domains: 1, mailboxes: 2, mailboxQuota: '3Gi' });
    const c = await createCustomer(api, plan.id);
    const post = (path: string, payload: object) =>
      api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/${path}`,
        headers: bearer(c.token),
        payload,
      });
    expect((await post('sites', { name: 'a', template: 'wordpress', database: true })).statusCode).toBe(201);
    expect(
      expectProblem(await post('sites', { name: 'b', template: 'php', database: true }), 409).detail,
    ).toMatch(/limit databases/);
    expect((await post('domains', { name: 'limits.test' })).statusCode).toBe(201);
    expect(expectProblem(await post('domains', { name: 'second.test' }), 409).detail).toMatch(
      /limit domains/,
    );
    expect(
      (await post('mailboxes', { address: 'a@limits.test', password: 'mailbox-password', quota: '2Gi' }))
        .statusCode,
    ).toBe(201);
    expect(
      expectProblem(
        await post('mailboxes', { address: 'b@limits.test', password: 'mailbox-password', quota: '2Gi' }),
        409,
      ).detail,
    ).toMatch(/limit mailboxQuota/);
    expect(
      (await post('mailboxes', { address: 'b@limits.test', password: 'mailbox-password', quota: '1Gi' }))
        .statusCode,
    ).toBe(201);
    expect(
      expectProblem(
        await post('mailboxes', { address: 'c@limits.test', password: 'mailbox-password', quota: '1Mi' }),
        409,
      ).detail,
    ).toMatch(/limit mailboxes/);
  });

  it('limits cron jobs over all sites with the other counted limits, a plan change included', async () => {
    const plan = await createPlan(api, { cronJobs: 1 });
    const c = await createCustomer(api, plan.id);
    const post = (path: string, payload: object) =>
      api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/${path}`,
        headers: bearer(c.token),
        payload,
      });
    expect((await post('sites', { name: 'one', template: 'php' })).statusCode).toBe(201);
    expect((await post('sites', { name: 'two', template: 'php' })).statusCode).toBe(201);
    const job = (name: string) => ({ name, schedule: '0 * * * *', command: 'true' });
    expect((await post('sites/one/cronjobs', job('hourly'))).statusCode).toBe(201);
    const refused = expectProblem(await post('sites/two/cronjobs', job('hourly')), 409);
    expect(refused.detail).toBe(`plan "${plan.name}" allows 1 cron jobs (limit cronJobs); this would make 2`);
    const none = await createPlan(api, { cronJobs: 0 });
    const moved = expectProblem(
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/customers/${c.id}`,
        headers: admin,
        payload: { planId: none.id },
      }),
      409,
    );
    expect(JSON.stringify(moved)).toMatch(/cronJobs/);
  });

  it('counts databases on the customer MariaDB when a plan change must fit, as a create does', async () => {
    const plan = await createPlan(api, { databases: 1 });
    const c = await createCustomer(api, plan.id);
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/databases`,
      headers: bearer(c.token),
      payload: { name: 'shop' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const none = await createPlan(api, { databases: 0 });
    const moved = expectProblem(
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/customers/${c.id}`,
        headers: admin,
        payload: { planId: none.id },
      }),
      409,
    );
    expect(JSON.stringify(moved)).toMatch(/databases/);
  });

  it('refuses moving a customer to a plan its usage exceeds', async () => {
    const plan = await createPlan(api);
    const tiny = await createPlan(api, { sites: 0 });
    const c = await createCustomer(api, plan.id);
    await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/sites`,
      headers: admin,
      payload: { name: 'keep', template: 'static' },
    });
    expectProblem(
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/customers/${c.id}`,
        headers: admin,
        payload: { planId: tiny.id },
      }),
      409,
    );
    expectProblem(
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/plans/${plan.id}`,
        headers: admin,
        payload: { limits: { ...basicLimits, sites: 0 } },
      }),
      409,
    );
  });
});
