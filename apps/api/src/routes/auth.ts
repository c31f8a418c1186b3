import { changePasswordBody, loginAnswer, loginBody, meAnswer } from '@hostplane/contracts';
import { sql } from 'kysely';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { openSecret } from '../auth/secrets.ts';
import { clearSessionCookies, openSession, setSessionCookies } from '../auth/sessions.ts';
import {
  assertLoginAllowed,
  clearLoginFailures,
  recordLoginFailure,
  throttleKeys,
} from '../auth/throttle.ts';
import { verifyTotp } from '../auth/totp.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { writeAudit } from '../http/audit.ts';
import { answers, noContent } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const tags = ['auth'];

export function authRoutes(app: ApiInstance, { db, config }: RouteDeps): void {
  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'sign in: sets the session cookie',
        security: [],
        body: loginBody,
        response: answers({ 200: loginAnswer }, 429),
      },
    },
    async (req, reply) => {
      const keys = throttleKeys(req.body.email, req.ip);
      await assertLoginAllowed(db, config, keys);
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', req.body.email)
        .executeTakeFirst();
      if (!user) await burnPasswordCheck(req.body.password);
      if (!user || !(await verifyPassword(user.password_hash, req.body.password))) {
        await recordLoginFailure(db, keys);
        throw new UnauthorizedError('wrong email or password', 'invalid-credentials');
      }
      if (user.totp_enabled_at && user.totp_secret) {
        if (!req.body.totp)
          throw new UnauthorizedError('this account needs its TOTP code (field totp)', 'totp-required');
        const step = await verifyTotp(
          openSecret(user.totp_secret, config.secretKey),
          req.body.totp,
          user.totp_last_step,
        );
        if (step === null) {
          await recordLoginFailure(db, keys);
          throw new UnauthorizedError('wrong or reused TOTP code', 'invalid-totp');
        }
        await db.updateTable('users').set({ totp_last_step: step }).where('id', '=', user.id).execute();
      }
      await clearLoginFailures(db, config, keys);
      const session = await db.transaction().execute(async (trx) => {
        const opened = await openSession(trx, user.id, config);
        await writeAudit(trx, req, {
          action: 'auth.login',
          target: `user/${user.id}`,
          customerId: user.customer_id,
          actorUserId: user.id,
        });
        return opened;
      });
      setSessionCookies(reply, session, config);
      return {
        user: {
          id: user.id,
          email: user.email,
          role: user.role,
          customerId: user.customer_id,
          totpEnabled: user.totp_enabled_at !== null,
        },
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'end this session', response: answers({ 204: noContent }, 403) },
    },
    async (req, reply) => {
      const principal = req.principal!;
      if (principal.sessionHash)
        await db.deleteFrom('sessions').where('id_hash', '=', principal.sessionHash).execute();
      clearSessionCookies(reply, config);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'who is calling', response: answers({ 200: meAnswer }) },
    },
    async (req) => ({ user: req.principal!.user, via: req.principal!.via }),
  );

  app.post(
    '/auth/password',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "change the caller's password; ends its other sessions",
        body: changePasswordBody,
        response: answers({ 204: noContent }, 403),
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const user = await db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', principal.user.id)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(user.password_hash, req.body.currentPassword))) {
        throw new ForbiddenError('the current password is wrong');
      }
      const passwordHash = await hashPassword(req.body.newPassword);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, password_changed_at: sql`now()` })
          .where('id', '=', principal.user.id)
          .execute();
        let others = trx.deleteFrom('sessions').where('user_id', '=', principal.user.id);
        if (principal.sessionHash) others = others.where('id_hash', '<>', principal.sessionHash);
        await others.execute();
        await writeAudit(trx, req, {
          action: 'auth.password.change',
          target: `user/${principal.user.id}`,
          customerId: principal.user.customerId,
        });
      });
      return reply.code(204).send(null);
    },
  );
}
