// Issue 9: a deleted customer's users lose access at once (sessions and tokens revoked, login
// answers as for a wrong password), and once deletion completes its names can be used again.
import { loadCustomerSnapshot } from '@hostplane/db';
import { customerStatusTarget, type LoadSnapshot, reconcileCustomer } from '@hostplane/reconcile';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createPlan, expectProblem, startTestApi, type TestApi } from './testing/harness.ts';

let api: TestApi;
let admin: { authorization: string };
let planId: number;

beforeAll(async () => {
  api = await startTestApi({ secretKey: 'test-secret-key-0123456789' });
  admin = bearer(api.adminToken);
  planId = (await createPlan(api)).id;
});
afterAll(async () => api?.close());

const email = 'owner@reuse.test';
const password = 'reuse-password-1';

async function createCustomerWithEverything(): Promise<number> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: admin,
    payload: { name: 'Reuse', email, planId, password },
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = (res.json() as { id: number }).id;
  const post = async (path: string, payload: object) => {
    const r = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${id}/${path}`,
      headers: admin,
      payload,
    });
    expect(r.statusCode, `${path}: ${r.body}`).toBe(201);
  };
  await post('domains', { name: 'reuse.test' });
  await post('mailboxes', { address: 'info@reuse.test', password: 'mailbox-password-1', quota: '1Gi' });
  await post('aliases', { source: 'sales@reuse.test', destinations: ['info@reuse.test'] });
  await post('sites', { name: 'shop', template: 'static', domains: ['www.reuse.test'] });
  return id;
}

async function login(pw: string) {
  return api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: pw } });
}

describe('DELETE /customers/{id}', () => {
  it('revokes sessions and tokens at once, refuses login like a wrong password, then frees every name', async () => {
    const id = await createCustomerWithEverything();
    const session = await login(password);
    expect(session.statusCode, session.body).toBe(200);
    const cookie = `hp_session=${session.cookies.find((k) => k.name === 'hp_session')!.value}`;
    const tokenRes = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie, 'x-csrf-token': session.json().csrfToken },
      payload: { name: 'automation' },
    });
    expect(tokenRes.statusCode, tokenRes.body).toBe(201);
    const token = tokenRes.json().token as string;

    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/customers/${id}`,
      headers: admin,
    });
    expect(deleted.statusCode, deleted.body).toBe(202);

    // At once, before any reconcile pass: the session and the token are dead.
    expect((await api.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expectProblem(await api.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) }), 401);
    expect(
      await api.db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select('api_tokens.id')
        .where('users.customer_id', '=', id)
        .execute(),
    ).toEqual([]);
    // Login with the right password answers exactly as a wrong one does.
    const right = expectProblem(await login(password), 401);
    const wrong = expectProblem(await login('not-the-password'), 401);
    const strip = (p: Record<string, unknown>) => ({ ...p, requestId: undefined });
    expect(strip(right)).toEqual(strip(wrong));

    // The worker finishes the deletion (the customer-status target is the only one here).
    const report = await reconcileCustomer(
      {
        db: api.db,
        targets: [customerStatusTarget],
        loadSnapshot: loadCustomerSnapshot as LoadSnapshot,
        logger: pino({ level: 'silent' }),
      },
      id,
      new AbortController().signal,
    );
    expect(report).toMatchObject({ found: true, deleted: true });
    expectProblem(await api.app.inject({ url: `/api/v1/customers/${id}`, headers: admin }), 404);

    // The same email, domain, mailbox, alias and site name can be used again by a new customer.
    const again = await createCustomerWithEverything();
    expect(again).not.toBe(id);
    const back = await login(password);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().user.customerId).toBe(again);
  });
});
