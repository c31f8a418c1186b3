import type { Problem } from '@hostplane/contracts';

export const API = '/api/v1';

/** A failed API call: the problem+json answer, with its field errors keyed by dotted path. */
export class ApiError extends Error {
  readonly fieldErrors: Record<string, string>;

  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.fieldErrors = {};
    for (const error of problem.errors ?? []) {
      // The first message of a path wins: it is usually the most basic one.
      this.fieldErrors[error.path] ??= error.message;
    }
  }

  get status(): number {
    return this.problem.status;
  }

  /** The short code at the end of the problem type (e.g. totp-required). */
  get code(): string {
    return this.problem.type.split('/').pop() ?? '';
  }
}

function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** The problem+json of a failed answer; a generic one when the body is not (a proxy's error page). */
export function problemFrom(status: number, statusText: string, text: string): Problem {
  try {
    const parsed = JSON.parse(text) as Partial<Problem> | null;
    if (parsed && typeof parsed.title === 'string')
      return { type: 'about:blank', status, ...parsed } as Problem;
  } catch {
    // Not JSON: fall through to a generic problem that still shows the start of the body.
  }
  return { type: 'about:blank', title: statusText || 'Request failed', status, detail: text.slice(0, 200) };
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Calls the API through the same-origin proxy; mutations carry the CSRF token of the session. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie('hp_csrf');
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!res.ok) throw new ApiError(problemFrom(res.status, res.statusText, await res.text()));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const enc = encodeURIComponent;
