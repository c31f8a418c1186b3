import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from './app.ts';
import { startTestApi, type TestApi } from './testing/harness.ts';

let api: TestApi;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
  components?: { schemas?: Record<string, unknown> };
};

beforeAll(async () => {
  api = await startTestApi();
  const res = await api.app.inject({ url: '/api/v1/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => api?.close());

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route the server has, with the same methods', () => {
    const served = routeTable(api.app)
      .filter((r) => !r.hidden)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(served).toContain('POST /api/v1/customers/{id}/domains/{name}/records');
    expect(served).toContain('PUT /api/v1/customers/{id}/domains/{name}/records/{type}/{fqdn}');
  });

  it('documents bodies and problem answers from the zod schemas', () => {
    const create = doc.paths['/api/v1/customers']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('planId');
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409']),
    );
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['Problem', 'Customer', 'Plan', 'Site', 'Domain', 'Mailbox']),
    );
  });
});

describe('OpenAPI security', () => {
  it('marks public routes as needing no credentials and the rest as bearer or session', () => {
    const login = doc.paths['/api/v1/auth/login']!.post as unknown as { security?: unknown[] };
    const health = doc.paths['/healthz']!.get as unknown as { security?: unknown[] };
    expect(login.security).toEqual([]);
    expect(health.security).toEqual([]);
    expect((doc as unknown as { security: unknown[] }).security).toEqual([{ bearer: [] }, { session: [] }]);
  });
});
