import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminUser } from './auth/users.ts';
import { apiConfigSchema } from './config.ts';
import { purgeExpiredRows } from './housekeeping.ts';
import { logRedaction } from './http/redact.ts';
import { bearer, createCustomer, createPlan, startTestApi, type TestApi } from './testing/harness.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({}, pino({ level: 'info', ...logRedaction }, sink));
});
afterAll(async () => api?.close());

describe('logs', () => {
  it('carry the request id on every line of a request and never a secret', async () => {
    const c = await createCustomer(api, (await createPlan(api)).id);
    lines.length = 0;
    await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-request-id': 'req-login-1' },
      payload: { email: c.email, password: 'wrong-secret-pw' },
    });
    await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-request-id': 'req-login-2' },
      payload: { email: c.email, password: c.password },
    });
    await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/mailboxes`,
      headers: { ...bearer(c.token), 'x-request-id': 'req-mb' },
      payload: { address: 'x@nowhere.test', password: 'mailbox-secret-pw' },
    });
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line.requestId, JSON.stringify(line)).toMatch(/^req-/);
    const all = JSON.stringify(lines);
    for (const secret of ['wrong-secret-pw', c.password, 'mailbox-secret-pw', c.token])
      expect(all).not.toContain(secret);
    expect(lines.find((l) => l.requestId === 'req-mb' && l.msg === 'request completed')).toMatchObject({
      status: 422,
      route: '/api/v1/customers/:id/mailboxes',
    });
  });
});

describe('housekeeping', () => {
  it('purges expired sessions, day-old idempotency keys and old login failures', async () => {
    const user = await api.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const old = new Date(Date.now() - 2 * 86_400_000);
    await api.db
      .insertInto('sessions')
      .values([
        { id_hash: 'expired', user_id: user.id, csrf_token: 'x', expires_at: old },
        { id_hash: 'live', user_id: user.id, csrf_token: 'x', expires_at: new Date(Date.now() + 3_600_000) },
      ])
      .execute();
    await api.db
      .insertInto('idempotency_keys')
      .values([
        { user_id: user.id, key: 'old', method: 'POST', path: '/x', request_hash: 'h', created_at: old },
        { user_id: user.id, key: 'new', method: 'POST', path: '/x', request_hash: 'h' },
      ])
      .execute();
    await api.db
      .insertInto('login_failures')
      .values({ key: 'email:old@example.test', created_at: old })
      .execute();
    expect(await purgeExpiredRows(api.db, apiConfigSchema.parse({}))).toBeGreaterThanOrEqual(3);
    expect((await api.db.selectFrom('sessions').select('id_hash').execute()).map((s) => s.id_hash)).toContain(
      'live',
    );
    expect(
      await api.db.selectFrom('sessions').select('id_hash').where('id_hash', '=', 'expired').execute(),
    ).toEqual([]);
    expect((await api.db.selectFrom('idempotency_keys').select('key').execute()).map((k) => k.key)).toEqual([
      'new',
    ]);
  });
});

describe('ensureAdminUser', () => {
  it('creates nothing when an admin exists (the harness made one)', async () => {
    expect(await ensureAdminUser(api.db, 'second@hostplane.test')).toEqual({ created: false });
    expect(
      await api.db.selectFrom('users').select('id').where('email', '=', 'second@hostplane.test').execute(),
    ).toEqual([]);
  });

  it('creates an admin with a generated password that signs in', async () => {
    await api.db
      .updateTable('users')
      .set({ role: 'customer', customer_id: (await createCustomer(api, (await createPlan(api)).id)).id })
      .where('role', '=', 'admin')
      .execute();
    const made = await ensureAdminUser(api.db, 'First@Hostplane.test');
    if (!made.created) throw new Error('expected an admin to be created');
    expect(made.email).toBe('first@hostplane.test');
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: made.email, password: made.password },
    });
    expect(login.json().user).toMatchObject({ role: 'admin', customerId: null });
  });
});
