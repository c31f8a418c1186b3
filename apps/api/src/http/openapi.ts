import { STATUS_CODES } from 'node:http';

/**
 * The finishing pass over the generated OpenAPI document, in one place: what the route schemas do
 * not say themselves but every integrator needs. Each operation gets an operationId (method and
 * path) and a summary; error answers are `application/problem+json` with the Problem schema and
 * a real description (never "Default Response"); the answers every route can give (400 for a
 * malformed URL, 401 without credentials, 414 for an over-long path parameter, 413/415 for bodies,
 * 500) are declared; POSTs that replay on `Idempotency-Key` document the header; `servers` is set.
 */

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Json[];
  requestBody?: unknown;
  responses?: Record<string, Json>;
  tags?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** POSTs outside these prefixes run through the mutation helper, which honours Idempotency-Key. */
const NOT_IDEMPOTENT_PREFIXES = ['/api/v1/auth/', '/api/v1/tokens'];

/** getCustomersByIdDomainsByName: unique (one per method and path) and URL-safe. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      const word = (param ? `by-${param[1]}` : segment).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string) =>
        c ? c.toUpperCase() : '',
      );
      return word.charAt(0).toUpperCase() + word.slice(1);
    });
  return `${method}${words.join('') || 'Root'}`;
}

function problemAnswer(status: number, description?: string): Json {
  return {
    description: description ?? STATUS_CODES[status] ?? `HTTP ${status}`,
    content: { 'application/problem+json': { schema: PROBLEM_REF } },
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request: path parameters, query or headers out of shape (problem+json names them)',
  401: 'No valid session or bearer token',
  403: 'The caller may not do this',
  404: 'No such resource, or it belongs to another customer',
  409: 'Conflicts with the current state (a name taken, a plan limit, a deletion under way)',
  413: 'Request body larger than the configured limit',
  414: 'A path parameter longer than the router accepts',
  415: 'Request body is not application/json',
  422: 'A body field has a bad value; problem+json names it and nothing changed',
  429: 'Too many requests; Retry-After says when to try again',
  500: 'Internal error; the problem names the request id to find in the server log',
};

function finishOperation(method: string, path: string, op: Operation): void {
  op.operationId ??= operationIdOf(method, path);
  if (!op.summary) op.summary = `${method.toUpperCase()} ${path}`;
  op.responses ??= {};
  const responses = op.responses;
  const isPublic = Array.isArray(op.security) && op.security.length === 0;
  const codes = new Set<number>([400, 500]);
  if (!isPublic) codes.add(401);
  if (path.includes('{')) codes.add(414);
  if (op.requestBody) {
    codes.add(413);
    codes.add(415);
  }
  for (const code of Object.keys(responses).map(Number)) if (code >= 400) codes.add(code);
  for (const [code, answer] of Object.entries(responses)) {
    const status = Number(code);
    if (status >= 400) continue;
    if (!answer.description || answer.description === 'Default Response')
      answer.description = STATUS_CODES[status] ?? `HTTP ${status}`;
  }
  for (const code of codes) responses[String(code)] = problemAnswer(code, ERROR_DESCRIPTIONS[code]);
  if (method === 'post' && !isPublic && !NOT_IDEMPOTENT_PREFIXES.some((p) => path.startsWith(p))) {
    op.parameters ??= [];
    const parameters = op.parameters;
    if (!parameters.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key'))
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: a second request with the same key, path and body gets the first answer ' +
          'instead of acting twice; the same key with another request is refused with 422.',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
      });
  }
}

export interface DocumentOptions {
  /** Base URLs the API is served at; relative "/" (the document's own origin) by default. */
  servers?: { url: string; description?: string }[];
}

/** Applies the finishing pass to a generated OpenAPI 3.1 document (mutates and returns it). */
export function finishDocument<T extends object>(document: T, options: DocumentOptions = {}): T {
  const doc = document as unknown as {
    servers?: unknown[];
    paths?: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
    info?: Json;
  };
  doc.servers = options.servers ?? [
    { url: '/', description: 'The panel API at the origin serving this document' },
  ];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) finishOperation(method, path, op);
    }
  }
  pruneUnusedSchemas(doc);
  return document;
}

/** Drops component schemas nothing refers to (the zod provider emits an unused *Input twin of each). */
function pruneUnusedSchemas(doc: {
  paths?: unknown;
  components?: { schemas?: Record<string, unknown> };
}): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const prefix = '#/components/schemas/';
  const used = new Set<string>();
  const pending: unknown[] = [doc.paths];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
          const name = value.slice(prefix.length);
          if (!used.has(name)) {
            used.add(name);
            pending.push(schemas[name]);
          }
        } else pending.push(value);
      }
    }
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}
