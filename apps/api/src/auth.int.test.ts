import { generate } from 'otplib';
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
let c: TestCustomer;

beforeAll(async () => {
  api = await startTestApi({
    loginFailuresPerAccount: 5,
    loginFailuresPerIp: 8,
    loginThrottleDelayMs: 300,
    secretKey: 'test-secret-key-0123456789',
  });
  c = await createCustomer(api, (await createPlan(api)).id);
});
afterAll(async () => api?.close());

interface Session {
  cookie: string;
  csrf: string;
}

async function login(
  email: string,
  password: string,
  extra: object = {},
  remoteAddress = '127.0.0.1',
): Promise<Session> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password, ...extra },
    remoteAddress,
  });
  if (res.statusCode !== 200) throw new Error(`login ${res.statusCode}: ${res.body}`);
  const session = res.cookies.find((k) => k.name === 'hp_session')!;
  return { cookie: `hp_session=${session.value}`, csrf: res.json().csrfToken };
}

describe('sessions', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict session cookie and answers the user', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: c.email.toUpperCase(), password: c.password },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({
      email: c.email,
      role: 'customer',
      customerId: c.id,
      totpEnabled: false,
    });
    const cookie = res.cookies.find((k) => k.name === 'hp_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    const stored = await api.db.selectFrom('sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie.value);
  });

  it('needs the CSRF header on cookie-authenticated mutations, not on reads', async () => {
    const s = await login(c.email, c.password);
    expect(
      (await api.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).json(),
    ).toMatchObject({ via: 'session', user: { customerId: c.id } });
    const payload = { name: 'csrf', template: 'static' };
    const url = `/api/v1/customers/${c.id}/sites`;
    expectProblem(await api.app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload }), 403);
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': 'wrong' },
        payload,
      }),
      403,
    );
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url,
          headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
          payload,
        })
      ).statusCode,
    ).toBe(201);
  });

  it('logout ends the session', async () => {
    const s = await login(c.email, c.password);
    const out = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.statusCode).toBe(204);
    expectProblem(await api.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } }), 401);
  });

  it('a password change ends the other sessions and keeps the current one', async () => {
    const keep = await login(c.email, c.password);
    const other = await login(c.email, c.password);
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie: keep.cookie, 'x-csrf-token': keep.csrf },
      payload: { currentPassword: c.password, newPassword: 'a-brand-new-password' },
    });
    expect(res.statusCode, res.body).toBe(204);
    expectProblem(await api.app.inject({ url: '/api/v1/auth/me', headers: { cookie: other.cookie } }), 401);
    expect(
      (await api.app.inject({ url: '/api/v1/auth/me', headers: { cookie: keep.cookie } })).statusCode,
    ).toBe(200);
    await expect(login(c.email, c.password)).rejects.toThrow(/401/);
    c.password = 'a-brand-new-password';
    await login(c.email, c.password);
  });
});

describe('tokens', () => {
  it('creates hp_ tokens shown once, lists them without the secret, refuses mutations with read scope, revokes', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(c.token),
      payload: { name: 'billing', scope: 'read' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    const list = await api.app.inject({ url: '/api/v1/tokens', headers: bearer(token) });
    expect(list.json().items.find((t: { id: number }) => t.id === id)).toMatchObject({
      name: 'billing',
      scope: 'read',
    });
    expect(list.body).not.toContain(token);
    expect(
      (
        await api.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at,
    ).not.toBeNull();
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: `/api/v1/customers/${c.id}/backups`,
        headers: bearer(token),
        payload: {},
      }),
      403,
    );
    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(c.token) }))
        .statusCode,
    ).toBe(204);
    expect(
      expectProblem(await api.app.inject({ url: '/api/v1/tokens', headers: bearer(token) }), 401).type,
    ).toMatch(/invalid-token$/);
  });

  it('refuses expired tokens and malformed Authorization headers', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(c.token),
      payload: { name: 'short', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    });
    await api.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', created.json().id)
      .execute();
    expectProblem(
      await api.app.inject({ url: '/api/v1/auth/me', headers: bearer(created.json().token) }),
      401,
    );
    expectProblem(
      await api.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Basic abc' } }),
      401,
    );
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(c.token),
        payload: { name: 'past', expiresAt: '2001-01-01T00:00:00Z' },
      }),
      422,
    );
  });
});

describe('login throttling', () => {
  it('after 5 failures for one account, delays the right password but never refuses it', async () => {
    const victim = await createCustomer(api, (await createPlan(api)).id);
    for (let i = 0; i < 5; i++) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: victim.email, password: 'wrong' },
        remoteAddress: `198.51.100.${i}`,
      });
      expect(expectProblem(res, 401).type).toMatch(/invalid-credentials$/);
    }
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: victim.email, password: victim.password },
      remoteAddress: '198.51.100.77',
    });
    // An account under attack is slowed down, not locked: its owner still signs in.
    expect(res.statusCode, res.body).toBe(200);
  });

  it('limits one address across accounts', async () => {
    for (let i = 0; i < 8; i++) {
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: `nobody${i}@example.test`, password: 'x' },
        remoteAddress: '203.0.113.5',
      });
    }
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: c.email, password: c.password },
      remoteAddress: '203.0.113.5',
    });
    expect(expectProblem(res, 429).detail).toMatch(/this address/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('TOTP', () => {
  it('enrols, then demands a valid, unused code at login', async () => {
    const user = await createCustomer(api, (await createPlan(api)).id);
    const s = await login(user.email, user.password);
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const setup = await api.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers });
    expect(setup.statusCode, setup.body).toBe(200);
    const { secret, otpauthUrl } = setup.json();
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const stored = await api.db
      .selectFrom('users')
      .select('totp_secret')
      .where('email', '=', user.email)
      .executeTakeFirstOrThrow();
    expect(stored.totp_secret).toMatch(/^v1:/);
    expect(stored.totp_secret).not.toContain(secret);
    expectProblem(
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/totp/enable',
        headers,
        payload: { code: '000000' },
      }),
      422,
    );
    const code = await generate({ secret });
    expect(
      (
        await api.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enable', headers, payload: { code } })
      ).json().user.totpEnabled,
    ).toBe(true);

    const without = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
    });
    expect(expectProblem(without, 401).type).toMatch(/totp-required$/);
    const reused = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password, totp: code },
    });
    expect(expectProblem(reused, 401).type).toMatch(/invalid-totp$/);
    const later = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await login(user.email, user.password, { totp: later });
  });
});
