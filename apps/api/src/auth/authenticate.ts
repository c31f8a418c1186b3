import type { PanelDatabase } from '@hostplane/db';
import type { FastifyRequest } from 'fastify';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import type { AuthUser, Principal } from '../types.ts';
import { safeEqual, sha256Hex, TOKEN_PREFIX } from './secrets.ts';

export const SESSION_COOKIE = 'hp_session';
export const CSRF_COOKIE = 'hp_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const userColumns = [
  'users.id as user_id',
  'users.email',
  'users.role',
  'users.customer_id',
  'users.totp_enabled_at',
] as const;

function toAuthUser(row: {
  user_id: number;
  email: string;
  role: 'admin' | 'customer';
  customer_id: number | null;
  totp_enabled_at: Date | null;
}): AuthUser {
  return {
    id: row.user_id,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    totpEnabled: row.totp_enabled_at !== null,
  };
}

/**
 * Users of a customer being deleted have no access (their sessions and tokens are also removed
 * when the deletion starts; this holds even for one created in the same instant).
 */
export function notOfDeletedCustomer(eb: ExpressionBuilder<PanelDatabase, 'users'>) {
  return eb.or([
    eb('users.customer_id', 'is', null),
    eb.not(
      eb.exists(
        eb
          .selectFrom('customers')
          .select('customers.id')
          .whereRef('customers.id', '=', 'users.customer_id')
          .where((c) =>
            c.or([c('customers.deleting', '=', true), c('customers.deleted_at', 'is not', null)]),
          ),
      ),
    ),
  ]);
}

async function principalFromToken(db: Kysely<PanelDatabase>, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      ...userColumns,
      'api_tokens.id as token_id',
      'api_tokens.scope',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
    ])
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .where(notOfDeletedCustomer)
    .where((eb) =>
      eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', sql<Date>`now()`)]),
    )
    .executeTakeFirst();
  if (!row) return null;
  // last_used_at is informative: written at most once a minute per token, not on every request.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', row.token_id)
      .execute();
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
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([...userColumns, 'sessions.csrf_token'])
    .where('sessions.id_hash', '=', idHash)
    .where(notOfDeletedCustomer)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
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
