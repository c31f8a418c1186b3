import {
  findSessionUser,
  findTokenUser,
  type PanelDatabase,
  type PrincipalUserRow,
  touchApiToken,
} from '@hostplane/db';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import type { AuthUser, Principal } from '../types.ts';
import { safeEqual, sha256Hex, TOKEN_PREFIX } from './secrets.ts';

export const SESSION_COOKIE = 'hp_session';
export const CSRF_COOKIE = 'hp_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function toAuthUser(row: PrincipalUserRow): AuthUser {
  return {
    id: row.user_id,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    totpEnabled: row.totp_enabled_at !== null,
  };
}

async function principalFromToken(db: Kysely<PanelDatabase>, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await findTokenUser(db, sha256Hex(token));
  if (!row) return null;
  // last_used_at is informative: written at most once a minute per token, not on every request.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await touchApiToken(db, row.token_id);
  }
  return {
    user: toAuthUser(row),
    via: 'token',
    scope: row.scope,
    tokenId: row.token_id,
    tokenExpiresAt: row.expires_at,
    sessionHash: null,
    csrfToken: null,
  };
}

async function principalFromSession(db: Kysely<PanelDatabase>, cookie: string): Promise<Principal | null> {
  if (cookie.length > 200) return null;
  const idHash = sha256Hex(cookie);
  const row = await findSessionUser(db, idHash);
  if (!row) return null;
  return {
    user: toAuthUser(row),
    via: 'session',
    scope: 'write',
    tokenId: null,
    tokenExpiresAt: null,
    sessionHash: idHash,
    csrfToken: row.csrf_token,
  };
}

/** Bearer token first (automation), else the session cookie (browser). */
export async function resolvePrincipal(
  db: Kysely<PanelDatabase>,
  req: FastifyRequest,
): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
    const principal = await principalFromToken(db, match[1]!);
    if (!principal) throw new UnauthorizedError('the token is unknown, revoked or expired', 'invalid-token');
    return principal;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  return cookie ? principalFromSession(db, cookie) : null;
}

/**
 * The access rules of every route, from its config: 401 without a principal, 403 for a read-only
 * token or a missing CSRF token on a mutation, 404 (never 403) for another customer's id so ids
 * do not leak, 403 for a customer user on an admin route.
 */
export function enforceAccess(req: FastifyRequest): void {
  const config = req.routeOptions.config;
  const access = config.access ?? 'admin';
  if (access === 'public') return;
  const principal = req.principal;
  if (!principal) throw new UnauthorizedError();
  if (!SAFE_METHODS.has(req.method)) {
    if (principal.scope === 'read') throw new ForbiddenError('this token is read-only');
    if (principal.via === 'session') {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !principal.csrfToken || !safeEqual(sent, principal.csrfToken)) {
        throw new ForbiddenError(`missing or wrong ${CSRF_HEADER} header`);
      }
    }
  }
  if (config.customerScoped && principal.user.role !== 'admin') {
    const id = (req.params as Record<string, string | undefined>).id;
    if (id !== String(principal.user.customerId)) throw new NotFoundError('customer');
  }
  if (access === 'admin' && principal.user.role !== 'admin')
    throw new ForbiddenError('only an admin may do this');
}
