// The closed set of errors the DNS room throws. PowerDNS's answers are mapped here at the edge
// (client/powerdns-client.ts); nothing above the client sees HTTP statuses or fetch errors.
// Messages never carry the API key (the client never puts headers into a message).

export type DnsErrorKind = 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Unavailable';

export class DnsProviderError extends Error {
  readonly kind: DnsErrorKind;
  /** True when the same call may succeed later (PowerDNS down, 5xx, timeout). */
  readonly retryable: boolean;
  /** CamelCase reason for the customer's DNS condition. */
  readonly reason: string;
  readonly status: number | undefined;

  constructor(kind: DnsErrorKind, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = `Dns${kind}Error`;
    this.kind = kind;
    this.retryable = kind === 'Unavailable';
    this.reason = kind === 'Unavailable' ? 'PowerDnsUnavailable' : `PowerDns${kind}`;
    this.status = opts.status;
  }
}

export class NotFoundError extends DnsProviderError {
  constructor(message: string, status?: number) {
    super('NotFound', message, status === undefined ? {} : { status });
  }
}

export class ConflictError extends DnsProviderError {
  constructor(message: string, status?: number) {
    super('Conflict', message, status === undefined ? {} : { status });
  }
}

export class InvalidError extends DnsProviderError {
  constructor(message: string, status?: number) {
    super('Invalid', message, status === undefined ? {} : { status });
  }
}

export class ForbiddenError extends DnsProviderError {
  constructor(message: string, status?: number) {
    super('Forbidden', message, status === undefined ? {} : { status });
  }
}

export class UnavailableError extends DnsProviderError {
  constructor(message: string, opts: { status?: number; cause?: unknown } = {}) {
    super('Unavailable', message, opts);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DnsProviderError && error.retryable;
}
