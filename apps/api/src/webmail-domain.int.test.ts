import { loadCustomerSnapshot } from '@hostplane/db';
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

// Issue 17: `webmail: true` on a domain makes webmail.{domain} a host of the platform webmail. Off by
// default; PATCH turns it on and the customer's desired state (the targets' input) carries it; the
// record at webmail.{domain} is then the platform's, not the customer's to edit.

let api: TestApi;
let c: TestCustomer;
const domain = 'webmail-flag.test';
const url = (path = '') => `/api/v1/customers/${c.id}/domains/${domain}${path}`;

beforeAll(async () => {
  api = await startTestApi();
  const plan = await createPlan(api, { domains: 2 });
  c = await createCustomer(api, plan.id);
  const res = await api.app.inject({
    method: 'POST',
    url: `/api/v1/customers/${c.id}/domains`,
    headers: bearer(c.token),
    payload: { name: domain, mail: true },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json()).toMatchObject({ name: domain, webmail: false });
});
afterAll(async () => api?.close());

describe('domain webmail flag', () => {
  it('turns webmail.{domain} on with PATCH and the desired state carries it', async () => {
    const res = await api.app.inject({
      method: 'PATCH',
      url: url(),
      headers: bearer(c.token),
      payload: { webmail: true },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: domain, webmail: true, mail: true });
    const snapshot = await loadCustomerSnapshot(api.db, c.id);
    expect(snapshot?.domains.find((d) => d.name === domain)?.webmail).toBe(true);
  });

  it('keeps webmail.{domain} read-only for the customer while webmail is on', async () => {
    const res = await api.app.inject({
      method: 'PUT',
      url: url(`/records/A/webmail.${domain}`),
      headers: bearer(c.token),
      payload: { ttl: 300, records: ['198.51.100.9'] },
    });
    // A platform-managed rrset answers as every read-only record does.
    const problem = expectProblem(res, 409);
    expect(problem.type).toBe('https://hostplane.io/problems/read-only-record');
    expect(problem.detail).toContain("points at the platform's webmail");
  });

  it('answers 422 naming the field for a webmail that is not a boolean, and changes nothing', async () => {
    const res = await api.app.inject({
      method: 'PATCH',
      url: url(),
      headers: bearer(c.token),
      payload: { webmail: 'yes' },
    });
    const problem = expectProblem(res, 422);
    expect(JSON.stringify(problem.errors)).toContain('webmail');
    const get = await api.app.inject({ method: 'GET', url: url(), headers: bearer(c.token) });
    expect(get.json()).toMatchObject({ webmail: true });
  });
});
