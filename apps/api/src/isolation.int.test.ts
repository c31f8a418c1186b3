import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from './app.ts';
import {
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

// Role isolation on EVERY route, driven by the app's own route table: a route added without a
// sample here fails the test, and so does one that answers another customer with anything but 404.

let api: TestApi;
let owner: TestCustomer; // holds the resources
let other: TestCustomer; // a different customer, must see nothing of owner's

const names = {
  site: 'blog',
  domain: 'owner-example.test',
  record: 'www.owner-example.test',
  mailbox: 'info@owner-example.test',
  alias: 'sales@owner-example.test',
  backup: 'first',
  database: 'shop',
  cron: 'nightly',
};

/** A valid request per route (params filled with the owner's resources). */
function sample(method: string, url: string, id: number): { url: string; payload?: unknown } {
  const fill = (u: string) =>
    u
      .replace(':id/sites/:name', `${id}/sites/${names.site}`)
      .replace(':cron', names.cron)
      .replace(':id/databases/:name', `${id}/databases/${names.database}`)
      .replace(':user', names.database)
      .replace(':id/domains/:name', `${id}/domains/${names.domain}`)
      .replace(':id/backups/:name', `${id}/backups/cust-${id}-${names.backup}`)
      .replace(':type/:fqdn', `A/${names.record}`)
      .replace(':address', names.mailbox)
      .replace(':source', names.alias)
      .replace(':id', String(id));
  const bodies: Record<string, unknown> = {
    'POST /api/v1/auth/login': { email: 'x@example.test', password: 'whatever' },
    'POST /api/v1/auth/password': { currentPassword: 'a', newPassword: 'long-enough-password' },
    'POST /api/v1/auth/totp/enable': { code: '123456' },
    'POST /api/v1/auth/totp/disable': { password: 'whatever' },
    'POST /api/v1/tokens': { name: 'x', scope: 'read' },
    'POST /api/v1/plans': {
      name: 'p',
      limits: {
        cpu: '1',
        memory: '1Gi',
        storage: '1Gi',
        sites: 1,
        domains: 1,
        mailboxes: 1,
        mailboxQuota: '1Gi',
        databases: 0,
        backupRetentionDays: 1,
      },
    },
    'PATCH /api/v1/plans/:id': { name: 'renamed' },
    'POST /api/v1/customers': { name: 'n', email: 'n@example.test', planId: 1 },
    'PATCH /api/v1/customers/:id': { suspended: true },
    'POST /api/v1/customers/:id/sites': { name: 'other', template: 'static' },
    'PATCH /api/v1/customers/:id/sites/:name': { replicas: 2 },
    'POST /api/v1/customers/:id/domains': { name: 'another-example.test', mail: false },
    'PATCH /api/v1/customers/:id/domains/:name': { dnssec: true },
    'POST /api/v1/customers/:id/domains/:name/verify': {},
    'POST /api/v1/customers/:id/domains/:name/records': {
      name: `mx.${names.domain}`,
      type: 'A',
      ttl: 300,
      records: ['192.0.2.9'],
    },
    'PUT /api/v1/customers/:id/domains/:name/records/:type/:fqdn': { ttl: 300, records: ['192.0.2.10'] },
    'POST /api/v1/customers/:id/mailboxes': {
      address: `new@${names.domain}`,
      password: 'mailbox-password-1',
      quota: '1Mi',
    },
    'PATCH /api/v1/customers/:id/mailboxes/:address': { enabled: false },
    'PUT /api/v1/customers/:id/mailboxes/:address/autoresponder': { subject: 'Away', body: 'Back soon' },
    'PUT /api/v1/customers/:id/mailboxes/:address/forwarding': { destinations: ['x@example.org'] },
    'PUT /api/v1/customers/:id/mailboxes/:address/sieve': { script: 'keep;' },
    'PUT /api/v1/customers/:id/mailboxes/:address/spam': {
      junkScore: 6,
      rejectScore: 15,
      allow: [],
      block: [],
    },
    'POST /api/v1/customers/:id/aliases': {
      source: `new-alias@${names.domain}`,
      destinations: ['x@example.org'],
    },
    'POST /api/v1/customers/:id/backups': {},
    'PUT /api/v1/customers/:id/sftp': { password: 'sftp-password-123' },
    'POST /api/v1/customers/:id/restores': { backup: 'missing' },
    'POST /api/v1/customers/:id/databases': { name: 'other_db' },
    'PATCH /api/v1/customers/:id/databases/:name': { sites: [] },
    'POST /api/v1/customers/:id/databases/:name/users': { name: 'reader' },
    'POST /api/v1/customers/:id/databases/:name/import': 'select 1;',
    'POST /api/v1/customers/:id/sites/:name/cronjobs': {
      name: 'hourly',
      schedule: '0 * * * *',
      command: 'true',
    },
    'PATCH /api/v1/customers/:id/sites/:name/cronjobs/:cron': { suspended: true },
  };
  const key = `${method} ${url}`;
  const needsBody =
    ['POST', 'PUT', 'PATCH'].includes(method) &&
    ![
      'POST /api/v1/auth/logout',
      'POST /api/v1/auth/totp/setup',
      'POST /api/v1/customers/:id/reconcile',
      'POST /api/v1/customers/:id/databases/:name/users/:user/password',
    ].includes(key);
  if (needsBody && !(key in bodies))
    throw new Error(`no sample body for ${key}: add one to isolation.int.test.ts`);
  return { url: fill(url), payload: needsBody ? bodies[key] : undefined };
}

beforeAll(async () => {
  api = await startTestApi();
  const plan = await createPlan(api);
  owner = await createCustomer(api, plan.id);
  other = await createCustomer(api, plan.id);
  const h = bearer(owner.token);
  const base = `/api/v1/customers/${owner.id}`;
  for (const [url, payload] of [
    [`${base}/sites`, { name: names.site, template: 'php' }],
    [`${base}/domains`, { name: names.domain }],
    [`${base}/domains/${names.domain}/records`, { name: names.record, type: 'A', records: ['192.0.2.1'] }],
    [`${base}/mailboxes`, { address: names.mailbox, password: 'mailbox-password-1', quota: '10Mi' }],
    [`${base}/aliases`, { source: names.alias, destinations: ['boss@example.org'] }],
    [`${base}/backups`, { name: names.backup }],
    [`${base}/databases`, { name: names.database, sites: [names.site] }],
    [
      `${base}/sites/${names.site}/cronjobs`,
      { name: names.cron, schedule: '0 3 * * *', command: 'php cron.php' },
    ],
  ] as const) {
    const res = await api.app.inject({ method: 'POST', url, headers: h, payload });
    expect(res.statusCode, res.body).toBe(201);
  }
});

afterAll(async () => api?.close());

describe('route table', () => {
  it('declares who may call every route', () => {
    const routes = routeTable(api.app).filter((r) => !r.hidden);
    expect(routes.length).toBeGreaterThan(35);
    for (const route of routes)
      expect(route.access, `${route.method} ${route.url}`).toMatch(/^(public|user|admin)$/);
    const scopedWithoutFlag = routes.filter(
      (r) => r.url.startsWith('/api/v1/customers/:id') && !r.customerScoped,
    );
    expect(scopedWithoutFlag).toEqual([]);
  });
});

describe('every non-public route', () => {
  it('answers an anonymous caller 401 problem+json', async () => {
    for (const route of routeTable(api.app).filter((r) => r.access !== 'public')) {
      const req = sample(route.method, route.url, owner.id);
      const res = await api.app.inject({
        method: route.method as 'GET',
        url: req.url,
        payload: req.payload as object,
      });
      expect(expectProblem(res, 401).status, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it("answers another customer 404 on the owner's resources, and changes nothing", async () => {
    const scoped = routeTable(api.app).filter((r) => r.customerScoped);
    expect(scoped.length).toBeGreaterThan(25);
    const generation = async () =>
      (
        await api.db
          .selectFrom('customers')
          .select('generation')
          .where('id', '=', owner.id)
          .executeTakeFirstOrThrow()
      ).generation;
    const before = await generation();
    for (const route of scoped) {
      const req = sample(route.method, route.url, owner.id);
      const res = await api.app.inject({
        method: route.method as 'GET',
        url: req.url,
        headers: bearer(other.token),
        payload: req.payload as object,
      });
      expect(expectProblem(res, 404).status, `${route.method} ${req.url}`).toBe(404);
    }
    expect(await generation()).toBe(before);
  });

  it('lets the owner read its own resources (the 404s above are isolation, not absence)', async () => {
    const reads = routeTable(api.app).filter((r) => r.customerScoped && r.method === 'GET');
    for (const route of reads) {
      const req = sample(route.method, route.url, owner.id);
      const res = await api.app.inject({ method: 'GET', url: req.url, headers: bearer(owner.token) });
      // An export streams from the customer's live MariaDB, which this panel has no access to: the
      // owner is let through to a 503 saying so (exports themselves: tests/site-runtime.node.test.ts).
      // So do a site's logs, read live from its pods (tests/site-logs.node.test.ts), and its hosts'
      // certificates, read live from the edge (tests/edge-certificates.int.test.ts).
      if (
        route.url === '/api/v1/customers/:id/databases/:name/dump' ||
        route.url === '/api/v1/customers/:id/sites/:name/logs' ||
        route.url === '/api/v1/customers/:id/sites/:name/certificates'
      ) {
        expect(expectProblem(res, 503).detail, req.url).toMatch(/not configured/);
        continue;
      }
      expect(res.statusCode, `${route.method} ${req.url}: ${res.body}`).toBe(200);
    }
  });

  it('refuses admin-only routes to a customer user with 403 (its own customer) ', async () => {
    const adminOnly = routeTable(api.app).filter((r) => r.access === 'admin');
    expect(adminOnly.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'DELETE /api/v1/customers/:id',
      'PATCH /api/v1/customers/:id',
      'PATCH /api/v1/plans/:id',
      'POST /api/v1/customers',
      'POST /api/v1/customers/:id/reconcile',
      'POST /api/v1/plans',
    ]);
    for (const route of adminOnly) {
      const req = sample(route.method, route.url, owner.id);
      const res = await api.app.inject({
        method: route.method as 'GET',
        url: req.url,
        headers: bearer(owner.token),
        payload: req.payload as object,
      });
      expect(expectProblem(res, 403).status, `${route.method} ${req.url}`).toBe(403);
    }
  });

  it("never lists another customer's rows: a customer sees only itself in GET /customers", async () => {
    const res = await api.app.inject({ url: '/api/v1/customers', headers: bearer(other.token) });
    expect(res.json().items.map((c: { id: number }) => c.id)).toEqual([other.id]);
  });

  it("cannot revoke another user's token (404)", async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(owner.token),
      payload: { name: 'mine' },
    });
    const res = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.json().id}`,
      headers: bearer(other.token),
    });
    expectProblem(res, 404);
  });
});
