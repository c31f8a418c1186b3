import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  reconcileJob,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

let api: TestApi;
let c: TestCustomer;
let admin: { authorization: string };

beforeAll(async () => {
  api = await startTestApi();
  admin = bearer(api.adminToken);
  c = await createCustomer(api, (await createPlan(api)).id);
});
afterAll(async () => api?.close());

const count = async (table: 'customers' | 'sites' | 'domains' | 'plans') =>
  (await api.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n;

describe('Idempotency-Key', () => {
  it('answers a retried create with the same answer and no second effect', async () => {
    const planId = (await createPlan(api)).id;
    const headers = { ...admin, 'idempotency-key': 'billing-order-4711' };
    const payload = { name: 'Billing Co', email: 'billing@example.test', planId };
    const first = await api.app.inject({ method: 'POST', url: '/api/v1/customers', headers, payload });
    expect(first.statusCode).toBe(201);
    const customers = await count('customers');
    const enqueues = (await reconcileJob(api, first.json().id))!.enqueues;
    const again = await api.app.inject({ method: 'POST', url: '/api/v1/customers', headers, payload });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count('customers')).toBe(customers);
    expect((await reconcileJob(api, first.json().id))!.enqueues).toBe(enqueues);
  });

  it('answers the same key with another body 422, and keys are per user', async () => {
    const headers = { ...bearer(c.token), 'idempotency-key': 'k-1' };
    const url = `/api/v1/customers/${c.id}/domains`;
    expect(
      (await api.app.inject({ method: 'POST', url, headers, payload: { name: 'one.test', mail: false } }))
        .statusCode,
    ).toBe(201);
    const other = await api.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { name: 'two.test', mail: false },
    });
    expect(expectProblem(other, 422).type).toMatch(/idempotency-key-reused$/);
    expect((await api.app.inject({ method: 'GET', url, headers })).json().items).toHaveLength(1);
    const adminSameKey = await api.app.inject({
      method: 'POST',
      url,
      headers: { ...admin, 'idempotency-key': 'k-1' },
      payload: { name: 'three.test', mail: false },
    });
    expect(adminSameKey.statusCode).toBe(201);
  });

  it('lets two racing requests with one key create one row', async () => {
    const headers = { ...bearer(c.token), 'idempotency-key': 'race-1' };
    const url = `/api/v1/customers/${c.id}/sites`;
    const payload = { name: 'raced', template: 'static' };
    const answers = await Promise.all(
      [1, 2, 3].map(() => api.app.inject({ method: 'POST', url, headers, payload })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    expect(await api.db.selectFrom('sites').select('id').where('name', '=', 'raced').execute()).toHaveLength(
      1,
    );
  });

  it('does not store a failed attempt: the key can be retried after fixing the cause', async () => {
    const headers = { ...bearer(c.token), 'idempotency-key': 'fails-first' };
    const url = `/api/v1/customers/${c.id}/mailboxes`;
    const payload = { address: 'later@later.test', password: 'mailbox-password-1' };
    expectProblem(await api.app.inject({ method: 'POST', url, headers, payload }), 422);
    await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/domains`,
      headers: bearer(c.token),
      payload: { name: 'later.test' },
    });
    expect((await api.app.inject({ method: 'POST', url, headers, payload })).statusCode).toBe(201);
  });
});

describe('bad input: 4xx problem+json, nothing written', () => {
  const cases: [
    string,
    {
      method: 'POST' | 'PATCH' | 'GET';
      url: () => string;
      payload?: unknown;
      headers?: Record<string, string>;
    },
    number,
    string?,
  ][] = [
    [
      'wrong types',
      {
        method: 'POST',
        url: () => '/api/v1/customers',
        payload: { name: 42, email: 'x@example.test', planId: '1' },
      },
      422,
      'name',
    ],
    [
      'unknown fields',
      {
        method: 'POST',
        url: () => `/api/v1/customers/${c.id}/sites`,
        payload: { name: 'x', template: 'static', evil: true },
      },
      422,
      'evil',
    ],
    ['invalid ids', { method: 'GET', url: () => '/api/v1/customers/abc' }, 400, 'id'],
    ['ids out of range', { method: 'GET', url: () => '/api/v1/customers/99999999999' }, 400, 'id'],
    ['unknown customer', { method: 'GET', url: () => '/api/v1/customers/424242' }, 404],
    [
      'bad DNS label',
      {
        method: 'POST',
        url: () => `/api/v1/customers/${c.id}/sites`,
        payload: { name: '-Bad-', template: 'static' },
      },
      422,
      'name',
    ],
    [
      'bad image',
      {
        method: 'POST',
        url: () => `/api/v1/customers/${c.id}/sites`,
        payload: { name: 'img', template: 'image', image: 'UPPER/Case:tag!' },
      },
      422,
      'image',
    ],
    [
      'port out of range',
      {
        method: 'POST',
        url: () => `/api/v1/customers/${c.id}/sites`,
        payload: { name: 'img', template: 'image', image: 'nginx', port: 70000 },
      },
      422,
      'port',
    ],
    [
      'bad quantity',
      {
        method: 'POST',
        url: () => `/api/v1/customers/${c.id}/mailboxes`,
        payload: { address: 'a@one.test', password: 'long-enough-pw', quota: 'lots' },
      },
      422,
      'quota',
    ],
    [
      'not JSON',
      {
        method: 'POST',
        url: () => '/api/v1/customers',
        payload: '{"name":',
        headers: { 'content-type': 'application/json' },
      },
      400,
    ],
    ['bad cursor', { method: 'GET', url: () => '/api/v1/customers?cursor=zzzz' }, 400, 'cursor'],
    ['limit too big', { method: 'GET', url: () => '/api/v1/customers?limit=100000' }, 400, 'limit'],
    ['unknown route', { method: 'GET', url: () => '/api/v1/nothing-here' }, 404],
  ];
  for (const [name, req, status, path] of cases) {
    it(`${name} → ${status}`, async () => {
      const before = await Promise.all([count('customers'), count('sites')]);
      const res = await api.app.inject({
        method: req.method,
        url: req.url(),
        headers: { ...admin, ...req.headers },
        payload: req.payload as string,
      });
      const problem = expectProblem(res, status);
      expect(problem).toMatchObject({
        status,
        type: expect.stringMatching(/^https:\/\/hostplane\.io\/problems\//),
        title: expect.any(String),
        requestId: res.headers['x-request-id'],
      });
      if (path) expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain(path);
      expect(await Promise.all([count('customers'), count('sites')])).toEqual(before);
    });
  }

  it('refuses a body over 64 KiB with 413 problem+json', async () => {
    const before = await count('plans');
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/plans',
      headers: admin,
      payload: { name: 'x'.repeat(70_000), limits: {} },
    });
    expect(expectProblem(res, 413).type).toMatch(/payload-too-large$/);
    expect(await count('plans')).toBe(before);
  });
});

describe('request ids and probes', () => {
  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    expect(
      (await api.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })).headers[
        'x-request-id'
      ],
    ).toBe('abc-123');
    expect(
      (await api.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } })).headers[
        'x-request-id'
      ],
    ).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps /readyz and /metrics off the public listener (they are on METRICS_PORT)', async () => {
    expectProblem(await api.app.inject({ url: '/readyz' }), 404);
    expectProblem(await api.app.inject({ url: '/metrics' }), 404);
    expect((await api.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('Idempotency-Key answers at rest', () => {
  it('keeps a password shown once sealed in the database, and a retry still gets it', async () => {
    const sealing = await startTestApi({ secretKey: 'idempotency-answers-key-0123456789' });
    try {
      const customer = await createCustomer(sealing, (await createPlan(sealing)).id);
      const headers = { ...bearer(customer.token), 'idempotency-key': 'create-shop-db' };
      const url = `/api/v1/customers/${customer.id}/databases`;
      const first = await sealing.app.inject({ method: 'POST', url, headers, payload: { name: 'shop' } });
      expect(first.statusCode).toBe(201);
      const password: string = first.json().credentials.password;
      expect(password.length).toBeGreaterThanOrEqual(16);
      const stored = await sealing.db
        .selectFrom('idempotency_keys')
        .select(sql<string>`response_body::text`.as('body'))
        .where('key', '=', 'create-shop-db')
        .executeTakeFirstOrThrow();
      expect(stored.body).not.toContain(password);
      expect(stored.body).not.toContain('shop');
      const again = await sealing.app.inject({ method: 'POST', url, headers, payload: { name: 'shop' } });
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
    } finally {
      await sealing.close();
    }
  });
});
