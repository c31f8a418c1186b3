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

/** pino redact paths: the request headers and body fields that may carry secrets. */
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
