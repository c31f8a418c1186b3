// The closed set of errors the mail room throws. mysql2 and Kubernetes errors are mapped here at the
// edge (client/*); nothing above the clients sees driver codes.

export type MailErrorKind = 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Unavailable';

export class MailProviderError extends Error {
  readonly kind: MailErrorKind;
  /** True when the same call may succeed later (MySQL or the Kubernetes API down, timeouts). */
  readonly retryable: boolean;
  /** CamelCase reason for the customer's Mail condition. */
  readonly reason: string;

  constructor(kind: MailErrorKind, message: string, opts: { cause?: unknown; reason?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = `Mail${kind}Error`;
    this.kind = kind;
    this.retryable = kind === 'Unavailable';
    this.reason = opts.reason ?? (kind === 'Unavailable' ? 'MailUnavailable' : `Mail${kind}`);
  }
}

export class MailUnavailableError extends MailProviderError {
  constructor(message: string, opts: { cause?: unknown; reason?: string } = {}) {
    super('Unavailable', message, opts);
  }
}

export class MailInvalidError extends MailProviderError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('Invalid', message, opts);
  }
}

export class MailConflictError extends MailProviderError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('Conflict', message, opts);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof MailProviderError && error.retryable;
}

// Connection-level failures of mysql2 / node:net: the database is down or unreachable.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
]);

/** Maps a driver error (mysql2 / net) into the room's closed set. */
export function mailDbError(operation: string, err: unknown): MailProviderError {
  if (err instanceof MailProviderError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = `mail database: ${operation} failed: ${err instanceof Error ? err.message : String(err)}`;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
    return new MailUnavailableError(message, { cause: err, reason: 'MailDatabaseUnavailable' });
  }
  if (code === 'ER_DUP_ENTRY') return new MailConflictError(message, { cause: err });
  if (typeof code === 'string' && /^ER_/.test(code)) return new MailInvalidError(message, { cause: err });
  return new MailUnavailableError(message, { cause: err, reason: 'MailDatabaseUnavailable' });
}
