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

// The single reads (backup, mailbox, alias, rrset), the audit log and the `?q=` list filters, as a
// customer user and an admin see them; another customer gets 404 on every one.

let api: TestApi;
let owner: TestCustomer;
let other: TestCustomer;
const domain = 'reads-example.test';
const base = () => `/api/v1/customers/${owner.id}`;

async function post(url: string, payload: unknown, token = owner.token) {
  const res = await api.app.inject({
    method: 'POST',
    url,
    headers: bearer(token),
    payload: payload as object,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
const get = (url: string, token = owner.token) => api.app.inject({ url, headers: bearer(token) });

beforeAll(async () => {
  api = await startTestApi();
  const plan = await createPlan(api);
  owner = await createCustomer(api, plan.id);
  other = await createCustomer(api, plan.id);
  await post(`${base()}/domains`, { name: domain });
  await post(`${base()}/domains`, { name: 'second-shop.test', mail: false });
  await post(`${base()}/domains/${domain}/records`, {
    name: `www.${domain}`,
    type: 'A',
    records: ['192.0.2.7'],
  });
  await post(`${base()}/mailboxes`, {
    address: `info@${domain}`,
    password: 'mailbox-password-1',
    quota: '10Mi',
  });
  await post(`${base()}/mailboxes`, {
    address: `billing@${domain}`,
    password: 'mailbox-password-2',
    quota: '10Mi',
  });
  await post(`${base()}/aliases`, { source: `sales@${domain}`, destinations: ['boss@example.org'] });
  await post(`${base()}/backups`, { name: 'nightly' });
});
afterAll(async () => api?.close());

describe('single reads', () => {
  it('answers one backup, mailbox, alias and rrset to its owner', async () => {
    const backup = await get(`${base()}/backups/cust-${owner.id}-nightly`);
    expect(backup.statusCode, backup.body).toBe(200);
    expect(backup.json()).toMatchObject({ name: `cust-${owner.id}-nightly` });

    const mailbox = await get(`${base()}/mailboxes/info@${domain}`);
    expect(mailbox.statusCode, mailbox.body).toBe(200);
    expect(mailbox.json()).toMatchObject({ address: `info@${domain}` });
    expect(mailbox.body).not.toContain('password-1');

    const alias = await get(`${base()}/aliases/sales@${domain}`);
    expect(alias.statusCode, alias.body).toBe(200);
    expect(alias.json()).toMatchObject({ source: `sales@${domain}`, destinations: ['boss@example.org'] });

    const rrset = await get(`${base()}/domains/${domain}/records/A/www.${domain}`);
    expect(rrset.statusCode, rrset.body).toBe(200);
    expect(rrset.json()).toMatchObject({ type: 'A', records: ['192.0.2.7'], managed: false });
  });

  it('answers 404 for a name the customer does not have', async () => {
    expectProblem(await get(`${base()}/backups/cust-${owner.id}-missing`), 404);
    expectProblem(await get(`${base()}/mailboxes/nobody@${domain}`), 404);
    expectProblem(await get(`${base()}/aliases/nobody@${domain}`), 404);
    expectProblem(await get(`${base()}/domains/${domain}/records/A/nowhere.${domain}`), 404);
  });

  it('answers another customer 404 on every single read', async () => {
    for (const url of [
      `${base()}/backups/cust-${owner.id}-nightly`,
      `${base()}/mailboxes/info@${domain}`,
      `${base()}/aliases/sales@${domain}`,
      `${base()}/domains/${domain}/records/A/www.${domain}`,
      `${base()}/audit`,
    ]) {
      expect(expectProblem(await get(url, other.token), 404).status, url).toBe(404);
    }
  });
});

describe('audit log', () => {
  it('lets an admin read every entry, filtered by customer and action, a page at a time', async () => {
    const all = await get('/api/v1/audit?limit=200', api.adminToken);
    expect(all.statusCode, all.body).toBe(200);
    const customers = new Set(all.json().items.map((e: { customerId: number | null }) => e.customerId));
    expect(customers.has(owner.id) && customers.has(other.id)).toBe(true);

    const mine = await get(`/api/v1/audit?customerId=${owner.id}&action=mailbox.create`, api.adminToken);
    expect(mine.statusCode, mine.body).toBe(200);
    const items = mine.json().items as { action: string; customerId: number; target: string }[];
    expect(items.map((e) => e.target).sort()).toEqual(
      [
        `customer/${owner.id}/mailbox/billing@${domain}`,
        `customer/${owner.id}/mailbox/info@${domain}`,
      ].sort(),
    );
    expect(items.every((e) => e.action === 'mailbox.create' && e.customerId === owner.id)).toBe(true);
    expect(mine.body).not.toContain('mailbox-password');

    const first = await get(`/api/v1/audit?customerId=${owner.id}&limit=2`, api.adminToken);
    expect(first.json().items).toHaveLength(2);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toBeTruthy();
    const second = await get(`/api/v1/audit?customerId=${owner.id}&limit=2&cursor=${cursor}`, api.adminToken);
    const ids = [...first.json().items, ...second.json().items].map((e: { id: number }) => e.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('shows a customer user its own entries only, and 404 for naming another customer', async () => {
    const own = await get('/api/v1/audit?limit=200');
    expect(own.statusCode, own.body).toBe(200);
    const items = own.json().items as { customerId: number }[];
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((e) => e.customerId === owner.id)).toBe(true);
    const scoped = await get(`${base()}/audit?limit=200`);
    expect(scoped.json().items).toEqual(items);
    expectProblem(await get(`/api/v1/audit?customerId=${owner.id}`, other.token), 404);
    const others = await get('/api/v1/audit?limit=200', other.token);
    expect(others.json().items.every((e: { customerId: number }) => e.customerId === other.id)).toBe(true);
  });

  it('refuses a bad filter with 400 naming it', async () => {
    const res = expectProblem(await get('/api/v1/audit?action=DROP%20TABLE', api.adminToken), 400);
    expect(JSON.stringify(res.errors)).toContain('action');
  });
});

describe('?q= filters', () => {
  it('filters customers by name or email (admin), case-insensitive, % taken literally', async () => {
    const byEmail = await get(
      `/api/v1/customers?q=${encodeURIComponent(owner.email.toUpperCase())}`,
      api.adminToken,
    );
    expect(byEmail.statusCode, byEmail.body).toBe(200);
    expect(byEmail.json().items.map((c: { id: number }) => c.id)).toEqual([owner.id]);
    const byName = await get('/api/v1/customers?q=test%20CUSTOMER&limit=200', api.adminToken);
    expect(byName.json().items.map((c: { id: number }) => c.id)).toEqual(
      expect.arrayContaining([owner.id, other.id]),
    );
    const wildcard = await get('/api/v1/customers?q=%25', api.adminToken);
    expect(wildcard.json().items).toEqual([]);
    // A customer user still sees only itself, whatever it searches for.
    const asOther = await get(`/api/v1/customers?q=${encodeURIComponent(owner.email)}`, other.token);
    expect(asOther.json().items).toEqual([]);
  });

  it('filters domains and mailboxes by name', async () => {
    const domains = await get(`${base()}/domains?q=SHOP`);
    expect(domains.json().items.map((d: { name: string }) => d.name)).toEqual(['second-shop.test']);
    const mailboxes = await get(`${base()}/mailboxes?q=bill`);
    expect(mailboxes.json().items.map((m: { address: string }) => m.address)).toEqual([`billing@${domain}`]);
    expectProblem(await get(`${base()}/domains?q=shop`, other.token), 404);
    expectProblem(await get(`${base()}/mailboxes?q=`), 400);
  });
});
