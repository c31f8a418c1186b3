import { createPanelDb, type PanelDatabase, poolOf } from '@hostplane/db';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { bearer, expectProblem, startTestApi, type TestApi } from './testing/harness.ts';

// Issue 10: the bearer token lookup is a prepared statement and the principal is never cached in the
// process, so a revoked or expired token is refused by the very next request — on the replica that
// revoked it and on another one (its own pool, its own prepared statements on its connections).

let api: TestApi;
let replicaDb: Kysely<PanelDatabase>;
let replica: FastifyInstance;

beforeAll(async () => {
  api = await startTestApi();
  const url = poolOf(api.db)?.options.connectionString;
  if (!url) throw new Error('no connection string on the test pool');
  replicaDb = createPanelDb(url, { max: 2 });
  replica = await buildApp({ db: replicaDb, config: { logLevel: 'silent' } });
  await replica.ready();
});

afterAll(async () => {
  await replica?.close();
  await replicaDb?.destroy();
  await api?.close();
});

async function newToken(): Promise<{ id: number; token: string }> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: bearer(api.adminToken),
    payload: { name: `t${Date.now()}`, scope: 'write' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const me = (app: FastifyInstance, token: string) =>
  app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });

describe('bearer tokens are looked up on every request', () => {
  it('a revoked token is refused at once by every replica', async () => {
    const { id, token } = await newToken();
    // Several requests on both replicas: their pools' connections hold the prepared lookup.
    for (let i = 0; i < 3; i++) {
      expect((await me(api.app, token)).statusCode).toBe(200);
      expect((await me(replica, token)).statusCode).toBe(200);
    }
    const revoked = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: bearer(api.adminToken),
    });
    expect(revoked.statusCode).toBe(204);
    for (const app of [api.app, replica]) {
      expect(expectProblem(await me(app, token), 401).type).toMatch(/invalid-token$/);
    }
  });

  it('a token that expires is refused at once, with no request in between', async () => {
    const { id, token } = await newToken();
    expect((await me(replica, token)).statusCode).toBe(200);
    await api.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    expect(expectProblem(await me(replica, token), 401).type).toMatch(/invalid-token$/);
  });
});
