import { saveDomainDnsStatus } from '@hostplane/db';
import { parsePlatformConfig } from '@hostplane/platform';
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

// The API's rules that come from the platform config and @hostplane/domain: replica cap, Pod
// Security restricted, plan changes against the quota in use, DS records, managed rrsets.

let api: TestApi;
let c: TestCustomer;
let h: { authorization: string };
const url = (path: string) => `/api/v1/customers/${c.id}/${path}`;
const call = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET', path: string, payload?: object) =>
  api.app.inject({ method, url: url(path), headers: h, ...(payload ? { payload } : {}) });
const paths = (problem: Record<string, unknown>) => (problem.errors as { path: string }[]).map((e) => e.path);

beforeAll(async () => {
  const platform = parsePlatformConfig({
    publicAddresses: { ipv4: ['203.0.113.9'] },
    tenantLimits: { maxReplicasPerSite: 4 },
  });
  api = await startTestApi({}, undefined, platform);
  c = await createCustomer(
    api,
    (await createPlan(api, { cpu: '4', memory: '8Gi', sites: 10, domains: 10 })).id,
  );
  h = bearer(c.token);
});
afterAll(async () => api?.close());

describe('sites against the platform', () => {
  it('refuses a root-asking security context with the field path, and stores nothing', async () => {
    const root = expectProblem(
      await call('POST', 'sites', {
        name: 'rooty',
        template: 'image',
        image: 'ghcr.io/acme/app:1.0',
        port: 8080,
        securityContext: { runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } },
      }),
      422,
    );
    expect(paths(root)).toEqual(['securityContext.runAsUser', 'securityContext.capabilities.add.0']);
    expectProblem(await call('GET', 'sites/rooty'), 404);
    const ok = await call('POST', 'sites', {
      name: 'nonroot',
      template: 'image',
      image: 'ghcr.io/acme/app:1.0',
      port: 8080,
      securityContext: { runAsUser: 10001, runAsNonRoot: true },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const patch = expectProblem(
      await call('PATCH', 'sites/nonroot', { securityContext: { privileged: true } }),
      422,
    );
    expect(paths(patch)).toEqual(['securityContext.privileged']);
  });

  it('GET /platform lists the PHP versions that have a WordPress image; a wordpress site takes one of them', async () => {
    const info = await api.app.inject({ method: 'GET', url: '/api/v1/platform', headers: h });
    expect(info.statusCode, info.body).toBe(200);
    // The default config: 8.2 and 8.4 for php sites, a WordPress image only on 8.4.
    expect(info.json().php).toEqual({
      versions: ['8.2', '8.4'],
      defaultVersion: '8.4',
      wordpressVersions: ['8.4'],
    });
    const refused = expectProblem(
      await call('POST', 'sites', {
        name: 'wp-old',
        template: 'wordpress',
        database: true,
        phpVersion: '8.2',
      }),
      422,
    );
    expect(paths(refused)).toEqual(['phpVersion']);
    expectProblem(await call('GET', 'sites/wp-old'), 404);
    const created = await call('POST', 'sites', {
      name: 'wp',
      template: 'wordpress',
      database: true,
      phpVersion: '8.4',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().phpVersion).toBe('8.4');
  });

  it("caps replicas at the platform's maxReplicasPerSite", async () => {
    const many = expectProblem(
      await call('POST', 'sites', { name: 'many', template: 'static', replicas: 5 }),
      422,
    );
    expect(paths(many)).toEqual(['replicas']);
    expect(many.detail).toMatch(/at most 4 replicas/);
    expect((await call('POST', 'sites', { name: 'four', template: 'static', replicas: 4 })).statusCode).toBe(
      201,
    );
    expect(paths(expectProblem(await call('PATCH', 'sites/four', { replicas: 6 }), 422))).toEqual([
      'replicas',
    ]);
  });

  it('generates a database password whenever the database is turned on', async () => {
    expect((await call('POST', 'sites', { name: 'later', template: 'php' })).statusCode).toBe(201);
    const password = async () =>
      (
        await api.db
          .selectFrom('sites')
          .select('database_password')
          .where('customer_id', '=', c.id)
          .where('name', '=', 'later')
          .executeTakeFirstOrThrow()
      ).database_password;
    expect(await password()).toBeNull();
    const on = await call('PATCH', 'sites/later', { database: true });
    expect(on.statusCode, on.body).toBe(200);
    // Sealed at rest (no SECRET_KEY in this file: marked plain, ready for a key).
    expect(await password()).toMatch(/^plain:[\w-]{32}$/);
  });
});

describe('plan changes against what the customer uses', () => {
  it('refuses a smaller plan with 409 naming every resource over, and changes nothing', async () => {
    const small = await createPlan(api, { cpu: '100m', memory: '128Mi', sites: 1, domains: 10 });
    const before = await call('GET', '');
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/${c.id}`,
      headers: bearer(api.adminToken),
      payload: { planId: small.id },
    });
    const problem = expectProblem(res, 409);
    const over = paths(problem);
    expect(over).toEqual(expect.arrayContaining(['sites', 'limits.cpu', 'limits.memory']));
    expect(problem.detail).toMatch(/sites/);
    const after = await call('GET', '');
    expect(after.json()).toMatchObject({
      planId: before.json().planId,
      generation: before.json().generation,
    });
  });

  it('refuses lowering the plan itself below a customer on it; the plan keeps its limits', async () => {
    const plan = await createPlan(api, { cpu: '4', memory: '8Gi', sites: 10 });
    const other = await createCustomer(api, plan.id);
    const site = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${other.id}/sites`,
      headers: bearer(other.token),
      payload: { name: 'big', template: 'static', replicas: 3 },
    });
    expect(site.statusCode, site.body).toBe(201);
    const lowered = { cpu: '10m', memory: '8Gi', storage: '20Gi', sites: 10, domains: 5, mailboxes: 5 };
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/plans/${plan.id}`,
      headers: bearer(api.adminToken),
      payload: { limits: { ...lowered, mailboxQuota: '5Gi', databases: 2, backupRetentionDays: 7 } },
    });
    expect(paths(expectProblem(res, 409))).toContain('limits.cpu');
    const plans = await api.app.inject({
      method: 'GET',
      url: '/api/v1/plans',
      headers: bearer(api.adminToken),
    });
    const stored = (plans.json().items as { id: number; limits: { cpu: string } }[]).find(
      (p) => p.id === plan.id,
    );
    expect(stored?.limits.cpu).toBe('4');
  });
});

describe('domains: DS records and platform-managed rrsets', () => {
  it('shows the DS records the DNS target stored while DNSSEC is on, none when off', async () => {
    expect((await call('POST', 'domains', { name: 'signed.test', dnssec: true })).statusCode).toBe(201);
    expect((await call('GET', 'domains/signed.test')).json().ds).toEqual([]);
    const ds = { keyTag: 4711, algorithm: 13, digestType: 2, digest: 'ab12', content: '4711 13 2 ab12' };
    await saveDomainDnsStatus(api.db, c.id, [{ name: 'signed.test', ds: [ds] }]);
    expect((await call('GET', 'domains/signed.test')).json().ds).toEqual(['4711 13 2 ab12']);
    expect((await call('PATCH', 'domains/signed.test', { dnssec: false })).statusCode).toBe(200);
    expect((await call('GET', 'domains/signed.test')).json().ds).toEqual([]);
  });

  it('lists the managed rrsets with a reason beside the customer rrsets, and refuses changing them', async () => {
    expect((await call('POST', 'domains', { name: 'listed.test' })).statusCode).toBe(201);
    const own = await call('POST', 'domains/listed.test/records', {
      name: 'app.listed.test',
      type: 'A',
      records: ['192.0.2.1'],
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ managed: false });
    const list = (await call('GET', 'domains/listed.test/records')).json().items as {
      name: string;
      type: string;
      records: string[];
      managed: boolean;
      reason?: string;
    }[];
    const find = (name: string, type: string) => list.find((r) => r.name === name && r.type === type);
    expect(find('listed.test', 'SOA')).toMatchObject({ managed: true, reason: expect.stringMatching(/SOA/) });
    expect(find('listed.test', 'NS')).toMatchObject({
      managed: true,
      records: ['ns1.hostplane.test.', 'ns2.hostplane.test.'],
    });
    expect(find('listed.test', 'MX')).toMatchObject({ managed: true, reason: expect.stringMatching(/mail/) });
    expect(find('app.listed.test', 'A')).toMatchObject({ managed: false, records: ['192.0.2.1'] });
    const put = expectProblem(
      await call('PUT', 'domains/listed.test/records/MX/listed.test', { records: ['10 mx.example.net'] }),
      409,
    );
    expect(paths(put)).toEqual(['name']);
    const del = expectProblem(await call('DELETE', 'domains/listed.test/records/NS/listed.test'), 409);
    expect(paths(del)).toEqual(['fqdn']);
    expect(del.detail).toMatch(/name servers/);
  });
});
