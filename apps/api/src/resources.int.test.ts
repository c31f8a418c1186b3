import { loadCustomerSnapshot, saveSiteStatuses } from '@hostplane/db';
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
let h: { authorization: string };
const url = (path: string) => `/api/v1/customers/${c.id}/${path}`;
const post = (path: string, payload: object) =>
  api.app.inject({ method: 'POST', url: url(path), headers: h, payload });

beforeAll(async () => {
  api = await startTestApi();
  c = await createCustomer(api, (await createPlan(api, { sites: 10, domains: 10, mailboxes: 10 })).id);
  h = bearer(c.token);
});
afterAll(async () => api?.close());

describe('sites', () => {
  it('creates, reads, patches and deletes rows; image sites need an image', async () => {
    // A site's hosts lie under the customer's own domains.
    expect((await post('domains', { name: 'example.test', mail: false })).statusCode).toBe(201);
    const res = await post('sites', {
      name: 'shop',
      template: 'image',
      image: 'ghcr.io/acme/shop:1.2',
      port: 3000,
      domains: ['Shop.Example.test'],
      database: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'shop',
      image: 'ghcr.io/acme/shop:1.2',
      port: 3000,
      domains: ['shop.example.test'],
      replicas: 1,
      database: true,
    });
    expect(res.json()).not.toHaveProperty('databasePassword');
    const row = await api.db
      .selectFrom('sites')
      .selectAll()
      .where('name', '=', 'shop')
      .executeTakeFirstOrThrow();
    expect(row.database_password).toMatch(/^plain:[\w-]{32}$/); // sealed at rest (no SECRET_KEY here)
    expectProblem(await post('sites', { name: 'noimage', template: 'image' }), 422);
    expectProblem(await post('sites', { name: 'shop', template: 'static' }), 409);
    const patched = await api.app.inject({
      method: 'PATCH',
      url: url('sites/shop'),
      headers: h,
      payload: { replicas: 3, www: true },
    });
    expect(patched.json()).toMatchObject({ replicas: 3, www: true });
    expect((await api.app.inject({ url: url('sites/shop'), headers: h })).json().replicas).toBe(3);
    expect((await api.app.inject({ method: 'DELETE', url: url('sites/shop'), headers: h })).statusCode).toBe(
      204,
    );
    expectProblem(await api.app.inject({ url: url('sites/shop'), headers: h }), 404);
    const gone = await api.app.inject({ method: 'DELETE', url: url('domains/example.test'), headers: h });
    expect(gone.statusCode).toBe(204);
  });

  it('shows the status the Kubernetes target stored for a site', async () => {
    expect((await post('sites', { name: 'watched', template: 'static' })).json().status).toBeNull();
    const status = {
      name: 'watched',
      state: 'Ready',
      reason: 'Ready',
      message: '1/1 ready',
      replicas: { desired: 1, ready: 1 },
      hosts: [],
    };
    await saveSiteStatuses(api.db, c.id, 7, [status, { ...status, name: 'gone-meanwhile' }]);
    const got = (await api.app.inject({ url: url('sites/watched'), headers: h })).json();
    expect(got.status).toMatchObject({
      state: 'Ready',
      replicas: { desired: 1, ready: 1 },
      observedGeneration: 7,
    });
    expect(got.status).not.toHaveProperty('name');
  });

  it('refuses sites that could not run under Pod Security restricted (422 naming the field)', async () => {
    const nginx = expectProblem(
      await post('sites', { name: 'web', template: 'image', image: 'nginx:1.27' }),
      422,
    );
    expect((nginx.errors as { path: string }[]).map((e) => e.path)).toEqual(['image']);
    const low = expectProblem(
      await post('sites', { name: 'web', template: 'image', image: 'ghcr.io/acme/app', port: 80 }),
      422,
    );
    expect((low.errors as { path: string }[]).map((e) => e.path)).toEqual(['port']);
    expectProblem(await post('sites', { name: '9lives', template: 'static' }), 422);
  });

  it("refuses a host under another customer's domain, naming the field", async () => {
    const other = await createCustomer(api, (await createPlan(api)).id);
    await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${other.id}/domains`,
      headers: bearer(other.token),
      payload: { name: 'theirs.test', mail: false },
    });
    const hijack = await post('sites', { name: 'hijack', template: 'static', domains: ['www.theirs.test'] });
    expectProblem(hijack, 422);
    expect(hijack.json().errors).toEqual([expect.objectContaining({ path: 'domains.0' })]);
  });
});

describe('domains, records, mailboxes, aliases', () => {
  it('normalises IDN domains, generates a DKIM key kept out of answers, refuses public suffixes', async () => {
    const res = await post('domains', { name: 'Bücher.test' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'xn--bcher-kva.test',
      dns: true,
      mail: true,
      dnssec: false,
      dkim: { selector: expect.stringMatching(/^hp\d{6}$/) },
    });
    expect(res.body).not.toContain('PRIVATE KEY');
    expectProblem(await post('domains', { name: 'co.uk' }), 422);
    expectProblem(await post('domains', { name: 'xn--bcher-kva.test' }), 409);
  });

  it("refuses a domain under or above another customer's domain", async () => {
    const other = await createCustomer(api, (await createPlan(api)).id);
    const theirs = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${other.id}/domains`,
      headers: bearer(other.token),
      payload: { name: 'shop.overlap.test', mail: false },
    });
    expect(theirs.statusCode).toBe(201);
    expectProblem(await post('domains', { name: 'overlap.test', mail: false }), 409);
    expectProblem(await post('domains', { name: 'eu.shop.overlap.test', mail: false }), 409);
  });

  it('creates, replaces and deletes rrsets inside the domain only', async () => {
    await post('domains', { name: 'records.test', mail: false });
    const created = await post('domains/records.test/records', {
      name: 'www.records.test',
      type: 'A',
      ttl: 300,
      records: ['192.0.2.1', '192.0.2.2'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const txt = await post('domains/records.test/records', {
      name: '_dmarc.records.test',
      type: 'TXT',
      records: ['v=DMARC1; p=none'],
    });
    expect(txt.json().records).toEqual(['"v=DMARC1; p=none"']);
    expectProblem(
      await post('domains/records.test/records', {
        name: 'www.records.test',
        type: 'A',
        records: ['192.0.2.3'],
      }),
      409,
    );
    expectProblem(
      await post('domains/records.test/records', {
        name: 'www.elsewhere.test',
        type: 'A',
        records: ['192.0.2.3'],
      }),
      422,
    );
    expectProblem(
      await post('domains/records.test/records', {
        name: 'mx.records.test',
        type: 'A',
        records: ['not-an-ip'],
      }),
      400,
    );
    expectProblem(
      await post('domains/records.test/records', {
        name: '@',
        type: 'CNAME',
        records: ['elsewhere.example.net'],
      }),
      422,
    );
    const apex = await post('domains/records.test/records', {
      name: '@',
      type: 'AAAA',
      records: ['2001:DB8::1'],
    });
    expect(apex.json()).toMatchObject({ name: 'records.test', records: ['2001:db8::1'] });
    const put = await api.app.inject({
      method: 'PUT',
      url: url('domains/records.test/records/MX/records.test'),
      headers: h,
      payload: { ttl: 600, records: ['10 mail.records.test'] },
    });
    expect(put.json()).toEqual({
      name: 'records.test',
      type: 'MX',
      ttl: 600,
      records: ['10 mail.records.test.'],
      managed: false,
    });
    const list = (await api.app.inject({ url: url('domains/records.test/records'), headers: h })).json();
    const own = list.items.filter((r: { managed: boolean }) => !r.managed);
    expect(own.map((r: { type: string }) => r.type).sort()).toEqual(['A', 'AAAA', 'MX', 'TXT']);
    expect(
      (
        await api.app.inject({
          method: 'DELETE',
          url: url('domains/records.test/records/A/www.records.test'),
          headers: h,
        })
      ).statusCode,
    ).toBe(204);
    expectProblem(
      await api.app.inject({
        method: 'DELETE',
        url: url('domains/records.test/records/A/www.records.test'),
        headers: h,
      }),
      404,
    );
  });

  it('stores mailbox passwords as {ARGON2ID} hashes, never answers them, and checks the mail domain', async () => {
    await post('domains', { name: 'mail.test' });
    // With mail on, the platform owns the MX and DKIM names of the domain: read-only for the customer.
    const mx = expectProblem(
      await post('domains/mail.test/records', {
        name: 'mail.test',
        type: 'MX',
        records: ['10 mx.example.net'],
      }),
      409,
    );
    expect(mx.detail).toMatch(/read-only/);
    const res = await post('mailboxes', {
      address: 'Info@Mail.test',
      password: 'mailbox-password-1',
      quota: '2Gi',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      address: 'info@mail.test',
      quota: '2Gi',
      quotaBytes: 2 ** 31,
      enabled: true,
    });
    expect(res.body).not.toContain('password');
    const row = await api.db
      .selectFrom('mailboxes')
      .selectAll()
      .where('address', '=', 'info@mail.test')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\{ARGON2ID\}\$argon2id\$/);
    expectProblem(
      await post('mailboxes', { address: 'x@records.test', password: 'mailbox-password-1' }),
      422,
    );
    const patched = await api.app.inject({
      method: 'PATCH',
      url: url('mailboxes/info@mail.test'),
      headers: h,
      payload: { enabled: false, quota: '1Gi' },
    });
    expect(patched.json()).toMatchObject({ enabled: false, quota: '1Gi' });
    const alias = await post('aliases', {
      source: 'sales@mail.test',
      destinations: ['b@example.org', 'a@example.org'],
    });
    expect(alias.json()).toMatchObject({
      source: 'sales@mail.test',
      destinations: ['a@example.org', 'b@example.org'],
    });
    expect(
      (await post('aliases', { source: '@mail.test', destinations: ['info@mail.test'] })).statusCode,
    ).toBe(201);
    expectProblem(await post('aliases', { source: 'info@mail.test', destinations: ['a@example.org'] }), 409);
    expectProblem(await api.app.inject({ method: 'DELETE', url: url('domains/mail.test'), headers: h }), 409);
    expect(
      (await api.app.inject({ method: 'DELETE', url: url('aliases/sales@mail.test'), headers: h }))
        .statusCode,
    ).toBe(204);
  });

  it('loads the whole desired state as a snapshot, sorted, with secrets the reconciler needs', async () => {
    const snap = await loadCustomerSnapshot(api.db, c.id);
    expect(snap).not.toBeNull();
    expect(snap!.domains.map((d) => d.name)).toEqual(['mail.test', 'records.test', 'xn--bcher-kva.test']);
    expect(snap!.domains[0]!.dkim!.privateKeyPem).toContain('PRIVATE KEY');
    expect(snap!.domains[1]!.records.map((r) => `${r.type} ${r.name}`)).toEqual([
      'TXT _dmarc.records.test',
      'AAAA records.test',
      'MX records.test',
    ]);
    expect(snap!.mailboxes[0]).toMatchObject({
      address: 'info@mail.test',
      enabled: false,
      quotaBytes: 2 ** 30,
    });
    expect(snap!.aliases).toEqual([{ source: '@mail.test', destinations: ['info@mail.test'] }]);
    const generation = (
      await api.db
        .selectFrom('customers')
        .select('generation')
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow()
    ).generation;
    expect(snap!.generation).toBe(generation);
  });
});

describe('backups and restores', () => {
  it('records a backup request and a restore of it', async () => {
    const backup = await post('backups', {});
    expect(backup.statusCode, backup.body).toBe(201);
    expect(backup.json()).toMatchObject({
      name: expect.stringMatching(new RegExp(`^cust-${c.id}-`)),
      phase: 'New',
      startedAt: null,
      completedAt: null,
    });
    const named = await post('backups', { name: 'before-upgrade' });
    expect(named.json().name).toBe(`cust-${c.id}-before-upgrade`);
    const restore = await post('restores', { backup: named.json().name });
    expect(restore.statusCode, restore.body).toBe(201);
    expect(restore.json()).toMatchObject({ backup: named.json().name, phase: 'New' });
    expectProblem(await post('restores', { backup: 'cust-1-nope' }), 422);
    expect((await api.app.inject({ url: url('backups'), headers: h })).json().items).toHaveLength(2);
    expect((await api.app.inject({ url: url('restores'), headers: h })).json().items).toHaveLength(1);
  });
});

describe('transactional outbox and audit', () => {
  it('a mutation enqueues a reconcile with its rows; a failing one enqueues nothing and writes nothing', async () => {
    const before = (await reconcileJob(api, c.id))!.enqueues;
    expect((await post('sites', { name: 'outbox', template: 'static' })).statusCode).toBe(201);
    expect((await reconcileJob(api, c.id))!.enqueues).toBe(before + 1);
    const audits = async () => (await api.db.selectFrom('audit_log').select('id').execute()).length;
    const auditCount = await audits();
    // Fails late: the customer row was bumped and the limit check ran before the unique index refused it.
    expectProblem(await post('sites', { name: 'outbox', template: 'static' }), 409);
    expect((await reconcileJob(api, c.id))!.enqueues).toBe(before + 1);
    expect(await audits()).toBe(auditCount);
  });

  it('writes one audit row per mutation with actor, request id and source ip, and no secret', async () => {
    await post('mailboxes', { address: 'audit@mail.test', password: 'very-secret-mailbox-pw', quota: '1Mi' });
    await api.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: h, payload: { name: 'audited' } });
    const rows = await api.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    const mailbox = rows.find(
      (r) => r.action === 'mailbox.create' && JSON.stringify(r.after).includes('audit@mail.test'),
    )!;
    expect(mailbox).toMatchObject({
      customer_id: c.id,
      target: `customer/${c.id}/mailbox/audit@mail.test`,
      source_ip: '127.0.0.1',
    });
    expect(mailbox.actor_token_id).toEqual(expect.any(Number));
    expect(mailbox.request_id).toEqual(expect.any(String));
    const all = JSON.stringify(rows);
    expect(all).not.toContain('very-secret-mailbox-pw');
    expect(all).not.toMatch(/hp_[A-Za-z0-9_-]{20,}/);
    expect(all).not.toContain('$argon2id$');
    expect(all).not.toContain('PRIVATE KEY');
    expect(rows.find((r) => r.action === 'token.create')!.after).toMatchObject({ token: '[REDACTED]' });
  });
});
