import { loadCustomerSnapshot } from '@hostplane/db';
import { renderMailboxSieve } from '@hostplane/domain';
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

// Issue 17: autoresponder, forwarding and own Sieve script of a mailbox through the API; bad input is a
// 422 naming the field and changes nothing; another customer gets 404.

let api: TestApi;
let c: TestCustomer;
let other: TestCustomer;
const base = (cust: TestCustomer) => `/api/v1/customers/${cust.id}`;
const mailbox = 'info@filters.test';
const put = (path: string, payload: object, cust = c) =>
  api.app.inject({
    method: 'PUT',
    url: `${base(cust)}/mailboxes/${mailbox}/${path}`,
    headers: bearer(cust.token),
    payload,
  });
const del = (path: string, cust = c) =>
  api.app.inject({
    method: 'DELETE',
    url: `${base(cust)}/mailboxes/${mailbox}/${path}`,
    headers: bearer(cust.token),
  });
const fieldsOf = (problem: Record<string, unknown>) =>
  (problem.errors as { path: string }[]).map((e) => e.path);

beforeAll(async () => {
  api = await startTestApi();
  const plan = await createPlan(api, { domains: 5, mailboxes: 5 });
  c = await createCustomer(api, plan.id);
  other = await createCustomer(api, plan.id);
  const h = bearer(c.token);
  for (const [path, payload] of [
    ['domains', { name: 'filters.test', mail: true }],
    ['mailboxes', { address: mailbox, password: 'mailbox-password-1' }],
  ] as const) {
    const res = await api.app.inject({ method: 'POST', url: `${base(c)}/${path}`, headers: h, payload });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => api?.close());

async function filters() {
  return (await loadCustomerSnapshot(api.db, c.id))?.mailboxes[0]?.filters;
}

describe('mailbox autoresponder, forwarding and Sieve', () => {
  it('sets an autoresponder (DESIGN §6 body) and the snapshot renders it as Sieve vacation', async () => {
    const res = await put('autoresponder', {
      subject: 'Away',
      body: 'Back on Monday',
      startsAt: '2026-12-01T09:00:00+01:00',
      intervalDays: 3,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().autoresponder).toEqual({
      subject: 'Away',
      body: 'Back on Monday',
      startsAt: '2026-12-01T08:00:00.000Z',
      endsAt: null,
      intervalDays: 3,
    });
    const stored = await filters();
    expect(stored?.autoresponder?.intervalDays).toBe(3);
    expect(renderMailboxSieve(stored!)).toContain('vacation :days 3 :subject "Away"');
  });

  it.each([
    [{ subject: 'A\nBcc: x@y.test', body: 'b' }, 'subject'],
    [{ subject: 'A', body: 'b', startsAt: '2026-12-02T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' }, 'endsAt'],
    [{ subject: 'A', body: 'b', intervalDays: 0 }, 'intervalDays'],
    [{ subject: 'A', body: 'b', startsAt: 'tomorrow' }, 'startsAt'],
  ])('refuses a bad autoresponder %j with 422 naming %s, changing nothing', async (payload, field) => {
    const before = await filters();
    expect(fieldsOf(expectProblem(await put('autoresponder', payload), 422))).toContain(field);
    expect(await filters()).toEqual(before);
  });

  it('sets forwarding with a copy by default; refuses forwarding to itself', async () => {
    const res = await put('forwarding', { destinations: ['b@elsewhere.test', 'a@elsewhere.test'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().forwarding).toEqual({
      destinations: ['a@elsewhere.test', 'b@elsewhere.test'],
      keepCopy: true,
    });
    expect(
      fieldsOf(expectProblem(await put('forwarding', { destinations: ['x@y.test', mailbox] }), 422)),
    ).toEqual(['destinations.1']);
    expect(
      fieldsOf(expectProblem(await put('forwarding', { destinations: ['not an address'] }), 422)),
    ).toContain('destinations.0');
    expect((await filters())?.forwarding?.destinations).toEqual(['a@elsewhere.test', 'b@elsewhere.test']);
  });

  it('saves a Sieve script that sievec compiles and refuses one that does not, with its message', async () => {
    const bad = expectProblem(await put('sieve', { script: 'require "fileinto";\nfileintox "X";\n' }), 422);
    expect(fieldsOf(bad)).toEqual(['script']);
    expect(JSON.stringify(bad.errors)).toContain("unknown command 'fileintox'");
    expect((await filters())?.customSieve).toBeNull();
    const script = 'require "fileinto";\nif header :contains "subject" "invoice" { fileinto "Invoices"; }\n';
    const res = await put('sieve', { script });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customSieve).toBe(script);
  });

  it("answers 404 to another customer, for its own id and for this customer's", async () => {
    expectProblem(await put('autoresponder', { subject: 'x', body: 'y' }, other), 404);
    const foreign = await api.app.inject({
      method: 'PUT',
      url: `${base(c)}/mailboxes/${mailbox}/forwarding`,
      headers: bearer(other.token),
      payload: { destinations: ['a@b.test'] },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('lists the settings with the mailbox and removes each with DELETE', async () => {
    const list = await api.app.inject({
      method: 'GET',
      url: `${base(c)}/mailboxes`,
      headers: bearer(c.token),
    });
    expect(list.json().items[0]).toMatchObject({
      autoresponder: { subject: 'Away' },
      forwarding: { keepCopy: true },
    });
    for (const path of ['autoresponder', 'forwarding', 'sieve'])
      expect((await del(path)).statusCode).toBe(204);
    expect(await filters()).toBeUndefined();
  });
});
