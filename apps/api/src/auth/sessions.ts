import { insertSession, type PanelDatabase } from '@hostplane/db';
import type { FastifyReply } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { ApiConfig } from '../config.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from './authenticate.ts';
import { randomSecret, sha256Hex } from './secrets.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface NewSession {
  cookie: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Stores only the cookie's hash; the CSRF token is kept server-side for the double-submit check. */
export async function openSession(db: Db, userId: number, config: ApiConfig): Promise<NewSession> {
  const cookie = randomSecret(32);
  const csrfToken = randomSecret(24);
  const expiresAt = new Date(Date.now() + config.sessionTtlSeconds * 1000);
  await insertSession(db, { idHash: sha256Hex(cookie), userId, csrfToken, expiresAt });
  return { cookie, csrfToken, expiresAt };
}

export function setSessionCookies(reply: FastifyReply, session: NewSession, config: ApiConfig): void {
  const common = {
    path: '/',
    secure: config.cookieSecure,
    sameSite: 'strict' as const,
    expires: session.expiresAt,
  };
  reply.setCookie(SESSION_COOKIE, session.cookie, { ...common, httpOnly: true });
  // Readable by the panel's scripts, which echo it in x-csrf-token.
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, config: ApiConfig): void {
  for (const name of [SESSION_COOKIE, CSRF_COOKIE]) {
    reply.clearCookie(name, { path: '/', secure: config.cookieSecure, sameSite: 'strict' });
  }
}
