import { type Logger, type LoggerOptions, pino } from 'pino';

// Keys whose values never leave the process: not in answers, logs or audit rows.
const SECRET_KEY =
  /pass(word)?|secret|token|hash|private|dkim_?key|apikey|api_key|authorization|cookie|totp/i;
export const REDACTED = '[REDACTED]';

/** A deep copy of `value` with every secret-looking field replaced; Dates become ISO strings. */
export function redactSecrets(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        SECRET_KEY.test(key) && inner !== null && inner !== undefined ? REDACTED : redactSecrets(inner);
    }
    return out;
  }
  return value;
}

/**
 * What the logs never carry: pino redact paths (the request headers and body fields that may carry
 * secrets). `logRedaction` below applies exactly these; the list stays the reference.
 */
export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.totp',
  '*.secret',
  // The worker's adapters log through the same pino instance in `hostplane serve`.
  '*.apiKey',
  '*.headers["x-api-key"]',
  '*.databasePassword',
  '*.privateKeyPem',
];

/** The `*.key` paths: keys redacted one level below any top-level field of a log line. */
const NESTED_KEYS = logRedactPaths.filter((p) => /^\*\.\w+$/.test(p)).map((p) => p.slice(2));

/** One top-level value with its secret-looking keys censored; the same value when it has none. */
function censorNested(value: object): object {
  const v = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  const writable = () => {
    copy ??= Object.assign(Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>, v);
    return copy;
  };
  for (const key of NESTED_KEYS) if (v[key] !== undefined) writable()[key] = REDACTED;
  const headers = v.headers as Record<string, unknown> | null | undefined;
  if (headers && typeof headers === 'object' && headers['x-api-key'] !== undefined)
    writable().headers = { ...headers, 'x-api-key': REDACTED };
  return copy ?? value;
}

/**
 * The `*.` paths of logRedactPaths as a pino formatter: a log line without a secret (nearly all of
 * them: the request line has only numbers and short strings) costs one pass over its top-level keys
 * and no copy. pino's own redaction of wildcard paths runs a stringifier on every value of every
 * line (issue 10's profile of GET). `req` and `res` keep pino's path redaction: their serializers
 * run after this formatter.
 */
export function redactLogFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    if (key === 'req' || key === 'res') continue;
    const value = obj[key];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const censored = censorNested(value);
    if (censored !== value) {
      out ??= { ...obj };
      out[key] = censored;
    }
  }
  return out ?? obj;
}

/**
 * A child logger's bindings get the same treatment. pino serialises them once, when the child is
 * made, and gives children no bindings formatter, so the serialised bindings are redacted here.
 */
function redactChildBindings(child: Logger): void {
  const holder = child as unknown as Record<symbol, unknown>;
  const serialised = holder[pino.symbols.chindingsSym];
  // Secret-looking keys are censored only inside objects: bindings with no object (pid, hostname,
  // a request id: Fastify makes one such child per request) need no parsing.
  if (typeof serialised !== 'string' || !serialised.includes('{')) return;
  const bindings = JSON.parse(`{${serialised.slice(1)}}`) as Record<string, unknown>;
  const redacted = redactLogFields(bindings);
  if (redacted !== bindings) holder[pino.symbols.chindingsSym] = `,${JSON.stringify(redacted).slice(1, -1)}`;
}

/** pino options that keep secrets out of logs (logRedactPaths), for every logger of the panel. */
export const logRedaction = {
  redact: {
    paths: [
      ...logRedactPaths.filter((p) => !p.startsWith('*.')),
      // The `*.` paths on `req`/`res`, which redactLogFields leaves to pino.
      ...logRedactPaths
        .filter((p) => p.startsWith('*.'))
        .flatMap((p) => [`req${p.slice(1)}`, `res${p.slice(1)}`]),
    ],
    censor: REDACTED,
  },
  formatters: { log: redactLogFields, bindings: redactLogFields },
  onChild: redactChildBindings,
} satisfies LoggerOptions;
