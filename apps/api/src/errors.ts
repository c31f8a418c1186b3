import type { Problem } from '@hostplane/contracts';

export const PROBLEM_BASE = 'https://hostplane.io/problems/';

export interface FieldError {
  path: string;
  in?: 'body' | 'params' | 'querystring' | 'headers';
  message: string;
}

/** The API's closed set of failures; the error handler turns each into problem+json. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }

  toProblem(): Problem {
    return {
      type: `${PROBLEM_BASE}${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'validation', 'Invalid request', detail, errors);
  }
}

export class UnprocessableError extends AppError {
  constructor(detail: string, errors?: FieldError[], code = 'unprocessable') {
    super(422, code, 'Request cannot be processed', detail, errors);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'sign in or send a bearer token', code = 'unauthorized') {
    super(401, code, 'Authentication required', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not-found', 'Not found', `${what} does not exist`);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'conflict') {
    super(409, code, 'Conflict', detail);
  }
}

/** A plan limit would be exceeded; the detail names the limit. */
export class PlanLimitError extends AppError {
  constructor(
    readonly limit: string,
    detail: string,
  ) {
    super(409, 'plan-limit', 'Plan limit reached', detail, [{ path: limit, message: detail }]);
  }
}

/** A plan change the customer's current use does not fit; one field error per resource over. */
export class PlanConflictError extends AppError {
  constructor(planName: string, over: { resource: string; message: string }[]) {
    const detail = `customer uses more than plan "${planName}" allows: ${over.map((o) => `${o.resource} (${o.message})`).join('; ')}`;
    super(
      409,
      'plan-limit',
      'Plan limit reached',
      detail,
      over.map((o) => ({ path: o.resource, message: o.message })),
    );
  }
}

export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, detail: string) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, 'too-many-requests', 'Too many requests', detail, undefined, {
      'retry-after': String(seconds),
    });
  }
}

/** The path exists, the method does not: Allow lists the methods that do. */
export class MethodNotAllowedError extends AppError {
  constructor(method: string, path: string, allowed: string[]) {
    super(405, 'method-not-allowed', 'Method not allowed', `${path} does not answer ${method}`, undefined, {
      allow: allowed.join(', '),
    });
  }
}

/** A part of the panel this deployment has not configured (e.g. database export without cluster access). */
export class ServiceUnavailableError extends AppError {
  constructor(detail: string) {
    super(503, 'unavailable', 'Service unavailable', detail);
  }
}
