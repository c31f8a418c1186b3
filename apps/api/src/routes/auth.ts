import { changePasswordBody, loginAnswer, loginBody, meAnswer } from '@hostplane/contracts';
import {
  changeUserPassword,
  claimTotpStep,
  deleteSession,
  findLoginUser,
  userPasswordHash,
} from '@hostplane/db';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { openSecret } from '../auth/secrets.ts';
import { clearSessionCookies, openSession, setSessionCookies } from '../auth/sessions.ts';
import { clearLoginFailures, recordLoginFailure, throttledCheck, throttleKeys } from '../auth/throttle.ts';
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
      // A deleted customer's login answers exactly as an unknown one: wrong email or password.
      const user = await findLoginUser(db, req.body.email);
      const passwordOk = await throttledCheck(db, config, keys, async () => {
        if (!user) {
          await burnPasswordCheck(req.body.password);
          return false;
        }
        return verifyPassword(user.password_hash, req.body.password);
      });
      if (!user || !passwordOk) throw new UnauthorizedError('wrong email or password', 'invalid-credentials');
      if (user.totp_enabled_at && user.totp_secret) {
        if (!req.body.totp)
          throw new UnauthorizedError('this account needs its TOTP code (field totp)', 'totp-required');
        const step = await verifyTotp(
          openSecret(user.totp_secret, config.secretKey),
          req.body.totp,
          user.totp_last_step,
        );
        // Conditional: of two logins racing with the same code, only one moves the step forward.
        const claimed = step !== null && (await claimTotpStep(db, user.id, step));
        if (!claimed) {
          await recordLoginFailure(db, keys);
          throw new UnauthorizedError('wrong or reused TOTP code', 'invalid-totp');
        }
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
      if (principal.sessionHash) await deleteSession(db, principal.sessionHash);
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
        response: answers({ 204: noContent }, 403, 429),
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const passwordHashNow = await userPasswordHash(db, principal.user.id);
      const keys = throttleKeys(principal.user.email, req.ip);
      const ok = await throttledCheck(db, config, keys, () =>
        verifyPassword(passwordHashNow, req.body.currentPassword),
      );
      if (!ok) throw new ForbiddenError('the current password is wrong');
      const passwordHash = await hashPassword(req.body.newPassword);
      await db.transaction().execute(async (trx) => {
        await changeUserPassword(trx, principal.user.id, passwordHash, principal.sessionHash);
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
