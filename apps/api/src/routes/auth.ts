import {
  changePasswordBody,
  loginAnswer,
  loginBody,
  meAnswer,
  totpCodeBody,
  totpDisableBody,
  totpSetupAnswer,
  userSchema,
} from '@hostplane/contracts';
import { sql } from 'kysely';
import { z } from 'zod';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { openSecret, sealSecret } from '../auth/secrets.ts';
import { clearSessionCookies, openSession, setSessionCookies } from '../auth/sessions.ts';
import {
  assertLoginAllowed,
  clearLoginFailures,
  recordLoginFailure,
  throttleKeys,
} from '../auth/throttle.ts';
import { newTotpSecret, totpUri, verifyTotp } from '../auth/totp.ts';
import { ConflictError, ForbiddenError, UnauthorizedError, UnprocessableError } from '../errors.ts';
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
        req.principal = {
          user: {
            id: user.id,
            email: user.email,
            role: user.role,
            customerId: user.customer_id,
            totpEnabled: false,
          },
          via: 'session',
          scope: 'write',
          tokenId: null,
          sessionHash: null,
          csrfToken: null,
        };
        await writeAudit(trx, req, {
          action: 'auth.login',
          target: `user/${user.id}`,
          customerId: user.customer_id,
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

  totpRoutes(app, { db, config } as RouteDeps);
}

function totpRoutes(app: ApiInstance, { db, config }: RouteDeps): void {
  app.post(
    '/auth/totp/setup',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'start TOTP enrolment: a new secret, active after /auth/totp/enable',
        response: answers({ 200: totpSetupAnswer }, 403, 409),
      },
    },
    async (req) => {
      const user = req.principal!.user;
      if (user.totpEnabled) throw new ConflictError('TOTP is already on; turn it off first', 'totp-enabled');
      const secret = newTotpSecret();
      await db
        .updateTable('users')
        .set({ totp_secret: sealSecret(secret, config.secretKey), totp_last_step: null })
        .where('id', '=', user.id)
        .execute();
      return { secret, otpauthUrl: totpUri(config.totpIssuer, user.email, secret) };
    },
  );

  app.post(
    '/auth/totp/enable',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'finish enrolment with a current code',
        body: totpCodeBody,
        response: answers({ 200: z.object({ user: userSchema }) }, 403, 422),
      },
    },
    async (req) => {
      const principal = req.principal!;
      const row = await db
        .selectFrom('users')
        .select(['totp_secret', 'totp_enabled_at'])
        .where('id', '=', principal.user.id)
        .executeTakeFirstOrThrow();
      if (!row.totp_secret || row.totp_enabled_at)
        throw new UnprocessableError('start with POST /auth/totp/setup');
      const step = await verifyTotp(openSecret(row.totp_secret, config.secretKey), req.body.code, null);
      if (step === null)
        throw new UnprocessableError('wrong TOTP code', [
          { path: 'code', in: 'body', message: 'wrong code' },
        ]);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ totp_enabled_at: sql`now()`, totp_last_step: step })
          .where('id', '=', principal.user.id)
          .execute();
        await writeAudit(trx, req, {
          action: 'auth.totp.enable',
          target: `user/${principal.user.id}`,
          customerId: principal.user.customerId,
        });
      });
      return { user: { ...principal.user, totpEnabled: true } };
    },
  );

  app.post(
    '/auth/totp/disable',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'turn TOTP off (needs the password)',
        body: totpDisableBody,
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
      if (!(await verifyPassword(user.password_hash, req.body.password)))
        throw new ForbiddenError('the password is wrong');
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
          .where('id', '=', principal.user.id)
          .execute();
        await writeAudit(trx, req, {
          action: 'auth.totp.disable',
          target: `user/${principal.user.id}`,
          customerId: principal.user.customerId,
        });
      });
      return reply.code(204).send(null);
    },
  );
}
