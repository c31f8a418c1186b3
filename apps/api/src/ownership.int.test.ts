// Issue 9 at the API's edge: reserved names, the overlap rule under concurrent requests, site hosts
// bound to the customer's own domains, and who may mark a domain verified by hand. The checks that
// need the worker and the local internet are in tests/domain-ownership.int.test.ts.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

let api: TestApi;
let planId: number;
let base: string;

beforeAll(async () => {
  api = await startTestApi();
  planId = (await createPlan(api, { sites: 10, domains: 10 })).id;
  // Real HTTP over a socket: concurrent requests are concurrent connections and transactions.
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => api?.close());

async function call(customer: TestCustomer, method: string, path: string, body?: object) {
  const res = await fetch(`${base}/customers/${customer.id}${path}`, {
    method,
    headers: { ...bearer(customer.token), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON read by the assertions that check it
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

describe('reserved names', () => {
  it.each([
    'hostplane.test',
    'panel.hostplane.test',
    'mail.hostplane.test',
    'ns1.hostplane.test',
    'x.ns2.hostplane.test',
    'co.uk',
    'github.io',
    'uk',
    'test',
  ])('refuses %s with 422 on the field name, writing nothing', async (name) => {
    const c = await createCustomer(api, planId);
    const res = await call(c, 'POST', '/domains', { name, mail: false });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'name', in: 'body' })]);
    expect((await call(c, 'GET', '/domains')).body.items).toEqual([]);
  });

  it('gives every new domain a token and shows its verification as Pending', async () => {
    const c = await createCustomer(api, planId);
    const res = await call(c, 'POST', '/domains', { name: 'pending-one.test', mail: false });
    expect(res.status).toBe(201);
    expect(res.body.verification).toEqual({
      state: 'Pending',
      method: null,
      token: expect.stringMatching(/^hp-[0-9a-f]{32}$/),
      checkedAt: null,
      message: '',
    });
  });
});

describe('overlap: one customer per registrable domain', () => {
  it('lets only one of two customers racing for example.test and shop.example.test win', async () => {
    for (let round = 0; round < 8; round++) {
      const [a, b] = [await createCustomer(api, planId), await createCustomer(api, planId)];
      const apex = `race${round}-${a.id}.test`;
      const answers = await Promise.all([
        call(a, 'POST', '/domains', { name: apex, mail: false }),
        call(b, 'POST', '/domains', { name: `shop.${apex}`, mail: false }),
      ]);
      expect(answers.map((r) => r.status).sort(), JSON.stringify(answers.map((r) => r.body))).toEqual([
        201, 409,
      ]);
      const rows = await api.db
        .selectFrom('domains')
        .select('name')
        .where('name', 'like', `%${apex}`)
        .execute();
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses a sibling under the same registrable domain (docs/dns.md rule 4)', async () => {
    const [a, b] = [await createCustomer(api, planId), await createCustomer(api, planId)];
    expect((await call(a, 'POST', '/domains', { name: 'a.siblings.test', mail: false })).status).toBe(201);
    expect((await call(b, 'POST', '/domains', { name: 'b.siblings.test', mail: false })).status).toBe(409);
    expect((await call(a, 'POST', '/domains', { name: 'b.siblings.test', mail: false })).status).toBe(201);
  });
});

describe('stale claims', () => {
  it("releases a claim never verified within the platform's window to the next customer, audited", async () => {
    const [squatter, owner] = [await createCustomer(api, planId), await createCustomer(api, planId)];
    expect((await call(squatter, 'POST', '/domains', { name: 'stale.test', mail: false })).status).toBe(201);
    expect((await call(squatter, 'POST', '/domains', { name: 'x.stale.test', mail: false })).status).toBe(
      201,
    );
    expect((await call(owner, 'POST', '/domains', { name: 'stale.test', mail: false })).status).toBe(409);
    // Eight days later, still unverified (the default window is seven days).
    await api.db
      .updateTable('domains')
      .set({ created_at: new Date(Date.now() - 8 * 86_400_000) })
      .where('customer_id', '=', squatter.id)
      .execute();
    const taken = await call(owner, 'POST', '/domains', { name: 'stale.test', mail: false });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect((await call(squatter, 'GET', '/domains')).body.items).toEqual([]);
    const audit = await api.db
      .selectFrom('audit_log')
      .select(['action', 'target'])
      .where('customer_id', '=', squatter.id)
      .where('action', '=', 'domain.release.unverified')
      .orderBy('target')
      .execute();
    expect(audit.map((a) => a.target)).toEqual([
      `customer/${squatter.id}/domain/stale.test`,
      `customer/${squatter.id}/domain/x.stale.test`,
    ]);
  });

  it('never releases a verified claim', async () => {
    const [holder, other] = [await createCustomer(api, planId), await createCustomer(api, planId)];
    expect((await call(holder, 'POST', '/domains', { name: 'kept.test', mail: false })).status).toBe(201);
    await api.db
      .updateTable('domains')
      .set({
        created_at: new Date(Date.now() - 30 * 86_400_000),
        verification_state: 'Verified',
        verification_method: 'ns',
      })
      .where('customer_id', '=', holder.id)
      .execute();
    expect((await call(other, 'POST', '/domains', { name: 'kept.test', mail: false })).status).toBe(409);
  });
});

describe("site hosts bound to the customer's own domains", () => {
  let c: TestCustomer;
  beforeAll(async () => {
    c = await createCustomer(api, planId);
    expect((await call(c, 'POST', '/domains', { name: 'mine.test', mail: false })).status).toBe(201);
    expect((await call(c, 'POST', '/domains', { name: 'proven.test', mail: false })).status).toBe(201);
    const marked = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/domains/proven.test/verify`,
      headers: bearer(api.adminToken),
      payload: { method: 'admin' },
    });
    expect(marked.statusCode, marked.body).toBe(200);
  });

  const site = (hosts: string[], www = false) =>
    call(c, 'POST', '/sites', {
      name: `s${Math.random().toString(36).slice(2, 8)}`,
      template: 'static',
      domains: hosts,
      www,
    });

  it.each([
    ['a host of no own domain', ['gmail.com'], false, 'domains.0'],
    ['the second host outside', ['mine.test', 'www.theirs.test'], false, 'domains.1'],
    ['a wildcard at a public suffix', ['*.co.uk'], false, 'domains.0'],
    ['a wildcard under an unverified domain', ['*.mine.test'], false, 'domains.0'],
    ['www on a wildcard', ['*.proven.test'], true, 'www'],
    ["the panel's own host", ['panel.hostplane.test'], false, 'domains.0'],
  ])('refuses %s with 422 on the field', async (_, hosts, www, field) => {
    const res = await site(hosts, www);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([field]);
  });

  it('accepts own hosts, and a wildcard under a verified domain', async () => {
    const res = await site(['mine.test', 'www.mine.test', 'a.b.proven.test', '*.proven.test']);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('checks hosts on PATCH too, and www against the hosts a site has', async () => {
    const created = await site(['*.proven.test']);
    expect(created.status).toBe(201);
    const name = created.body.name as string;
    const www = await call(c, 'PATCH', `/sites/${name}`, { www: true });
    expect(www.status).toBe(422);
    expect(www.body.errors.map((e: { path: string }) => e.path)).toEqual(['www']);
    const moved = await call(c, 'PATCH', `/sites/${name}`, { domains: ['elsewhere.test'] });
    expect(moved.status).toBe(422);
    expect((await call(c, 'PATCH', `/sites/${name}`, { replicas: 2 })).status).toBe(200);
  });
});

describe('marking a domain verified by hand', () => {
  it('is for admins only; a customer may only ask for a check (202)', async () => {
    const c = await createCustomer(api, planId);
    expect((await call(c, 'POST', '/domains', { name: 'by-hand.test', mail: false })).status).toBe(201);
    const self = await call(c, 'POST', '/domains/by-hand.test/verify', { method: 'admin' });
    expect(self.status).toBe(403);
    const asked = await call(c, 'POST', '/domains/by-hand.test/verify');
    expect(asked.status).toBe(202);
    expect(asked.body.verification.state).toBe('Pending');
    const byAdmin = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/domains/by-hand.test/verify`,
      headers: bearer(api.adminToken),
      payload: { method: 'admin', note: 'contract on file' },
    });
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
    expect(byAdmin.json().verification).toMatchObject({ state: 'Verified', method: 'admin' });
    expect(byAdmin.json().verification.message).toContain('contract on file');
    const audit = await api.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('customer_id', '=', c.id)
      .where('action', 'like', 'domain.verify%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['domain.verify.request', 'domain.verify.admin']);
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/domains/nope.test/verify`,
        headers: bearer(api.adminToken),
        payload: {},
      }),
      404,
    );
  });
});
