import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError, PROBLEM_BASE } from './errors.ts';

type Part = NonNullable<FieldError['in']>;

interface ValidationEntry {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

function issuesOf(
  error: FastifyError & { validation?: unknown[]; validationContext?: string },
): FieldError[] {
  const where = (error.validationContext ?? 'body') as Part;
  const out: FieldError[] = [];
  for (const entry of (error.validation ?? []) as ValidationEntry[]) {
    const base = (entry.instancePath ?? '').split('/').filter(Boolean);
    if (entry.keyword === 'unrecognized_keys' && entry.params?.keys) {
      for (const key of entry.params.keys)
        out.push({ path: [...base, key].join('.'), in: where, message: 'unknown field' });
    } else {
      out.push({ path: base.join('.'), in: where, message: entry.message ?? 'invalid' });
    }
  }
  return out;
}

// Fastify's own 4xx errors (parsing, limits, media types) keep their status with a problem body.
const FASTIFY_TITLES: Record<string, [string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload-too-large', 'Request body too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported-media-type', 'Unsupported media type'],
  FST_ERR_MAX_PARAM_LENGTH: ['uri-too-long', 'URI too long'],
  FST_ERR_BAD_URL: ['bad-request', 'Bad request'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['validation', 'Invalid request'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['validation', 'Invalid request'],
};

/** The one place errors become answers: RFC 9457 problem+json, with the request id. */
export function handleError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  let problem: { type: string; title: string; status: number; detail?: string; errors?: FieldError[] };
  if (error instanceof AppError) {
    problem = error.toProblem();
    reply.headers(error.headers);
  } else if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = issuesOf(error);
    const detail = errors.map((e) => `${e.in}${e.path ? `.${e.path}` : ''}: ${e.message}`).join('; ');
    // A body with a bad value is unprocessable (422, naming the field); a malformed URL (path
    // parameters, query) is a bad request (400).
    const status = error.validationContext === 'body' ? 422 : 400;
    problem = { type: `${PROBLEM_BASE}validation`, title: 'Invalid request', status, detail, errors };
  } else if (isPgError(error) && PG_CODES[error.code]) {
    problem = pgProblem(error);
  } else if (!isResponseSerializationError(error) && error.statusCode && error.statusCode < 500) {
    const [code, title] = FASTIFY_TITLES[error.code] ?? ['bad-request', 'Bad request'];
    problem = { type: `${PROBLEM_BASE}${code}`, title, status: error.statusCode, detail: error.message };
  } else {
    req.log.error({ err: error }, 'request failed');
    problem = {
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal error',
      status: 500,
      detail: `see the server log, request ${req.id}`,
    };
  }
  if (problem.status < 500)
    req.log.info({ status: problem.status, type: problem.type }, problem.detail ?? problem.title);
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, instance: req.url.split('?')[0], requestId: req.id });
}

// PostgreSQL's integrity errors, the last line of defence behind the routes' own checks: a row the
// database refuses is the client's bad value (422 naming the field) or a name already taken (409),
// never a 500. Mapped here, in one place.
const PG_CODES: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'Conflict'],
  '23503': [409, 'conflict', 'Conflict'],
  '23514': [422, 'validation', 'Invalid request'], // check_violation
  '23502': [422, 'validation', 'Invalid request'], // not_null_violation
  '22001': [422, 'validation', 'Invalid request'], // string_data_right_truncation
  '22003': [422, 'validation', 'Invalid request'], // numeric_value_out_of_range
};

/** The API field behind a constraint (PostgreSQL names checks `{table}_{column}_check`). */
const CONSTRAINT_FIELDS: Record<string, string> = {
  mailboxes_quota_bytes_check: 'quota',
  sites_replicas_check: 'replicas',
  sites_port_check: 'port',
  sites_template_check: 'template',
  dns_records_ttl_check: 'ttl',
  dns_records_type_check: 'type',
  users_email_check: 'email',
};

type PgError = { code: string; constraint?: string; table?: string; column?: string };

function fieldOf(error: PgError): string {
  if (error.constraint && CONSTRAINT_FIELDS[error.constraint]) return CONSTRAINT_FIELDS[error.constraint]!;
  if (error.column) return error.column;
  const match =
    error.constraint && error.table ? new RegExp(`^${error.table}_(.+)_check$`).exec(error.constraint) : null;
  return match?.[1] ?? '';
}

function pgProblem(error: PgError) {
  const [status, code, title] = PG_CODES[error.code]!;
  const detail = pgDetail(error);
  if (status !== 422) return { type: `${PROBLEM_BASE}${code}`, title, status, detail };
  const errors: FieldError[] = [{ path: fieldOf(error), in: 'body', message: detail }];
  return { type: `${PROBLEM_BASE}${code}`, title, status, detail, errors };
}

function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    'severity' in error
  );
}

function pgDetail(error: PgError): string {
  if (error.code === '23505') return `already exists (${error.constraint ?? 'unique constraint'})`;
  if (error.code === '23514') return `value not allowed (${error.constraint ?? 'check constraint'})`;
  if (error.code === '23502') return `a value is required${error.column ? ` (${error.column})` : ''}`;
  if (error.code.startsWith('22')) return 'value out of range or too long';
  return `still referenced or refers to something missing (${error.constraint ?? 'foreign key'})`;
}
