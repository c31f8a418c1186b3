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

type Op = {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string }[];
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }
  >;
};
function operations(): [string, string, Op][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [method, path, op as unknown as Op] as [string, string, Op]),
  );
}

describe('OpenAPI document for integrators', () => {
  it('gives every operation a unique operationId and a summary', () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [method, path, op] of operations()) expect(op.summary, `${method} ${path}`).toBeTruthy();
  });

  it('declares error answers as application/problem+json with the Problem schema, none "Default Response"', () => {
    for (const [method, path, op] of operations()) {
      for (const [code, answer] of Object.entries(op.responses)) {
        expect(answer.description, `${method} ${path} ${code}`).not.toBe('Default Response');
        if (Number(code) < 400) continue;
        expect(Object.keys(answer.content ?? {}), `${method} ${path} ${code}`).toEqual([
          'application/problem+json',
        ]);
        expect(answer.content?.['application/problem+json']?.schema?.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
    }
  });

  it('sets servers and documents Idempotency-Key on the POSTs that replay it', () => {
    expect((doc as unknown as { servers: unknown[] }).servers.length).toBeGreaterThan(0);
    const header = (op: Op) => op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    expect(header(doc.paths['/api/v1/customers/{id}/sites']!.post as unknown as Op)).toBe(true);
    expect(header(doc.paths['/api/v1/customers']!.post as unknown as Op)).toBe(true);
    expect(header(doc.paths['/api/v1/auth/login']!.post as unknown as Op)).toBeFalsy();
    expect(header(doc.paths['/api/v1/tokens']!.post as unknown as Op)).toBeFalsy();
  });

  it('states no \\p{…} classes in its patterns', () => {
    expect(JSON.stringify(doc)).not.toMatch(/\\\\[pP]\{/);
    // displayName (customer and plan names): an explicit class instead of \p{Cc}.
    expect(JSON.stringify(doc.paths['/api/v1/customers']!.post!.requestBody)).toContain('^[^\\\\x00-\\\\x1f');
  });

  it('declares 414 where the server sends it: an over-long path parameter', async () => {
    const res = await api.app.inject({
      url: `/api/v1/customers/${'9'.repeat(300)}/sites`,
      headers: { authorization: `Bearer ${api.adminToken}` },
    });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(doc.paths['/api/v1/customers/{id}/sites']!.get!.responses)).toContain('414');
  });

  it('answers an undeclared method on a served path with 405 and Allow', async () => {
    const res = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/customers/1/sites',
      headers: { authorization: `Bearer ${api.adminToken}` },
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect(res.json()).toMatchObject({
      status: 405,
      type: 'https://hostplane.io/problems/method-not-allowed',
    });
    const unknown = await api.app.inject({ method: 'PATCH', url: '/api/v1/no-such-thing' });
    expect(unknown.statusCode).toBe(404);
  });
});
