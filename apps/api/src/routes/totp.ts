import { totpCodeBody, totpDisableBody, totpSetupAnswer, userSchema } from '@hostplane/contracts';
import { disableTotp, enableTotp, setTotpSecret, totpEnrolment, userPasswordHash } from '@hostplane/db';
import { z } from 'zod';
import { verifyPassword } from '../auth/passwords.ts';
import { openSecret, sealSecret } from '../auth/secrets.ts';
import { throttledCheck, throttleKeys } from '../auth/throttle.ts';
import { newTotpSecret, totpUri, verifyTotp } from '../auth/totp.ts';
import { ConflictError, ForbiddenError, UnprocessableError } from '../errors.ts';
import { writeAudit } from '../http/audit.ts';
import { answers, noContent } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const tags = ['auth'];

/** Optional second factor: setup (a new secret, shown once) → enable (a valid code) → login needs codes. */
export function totpRoutes(app: ApiInstance, { db, config }: RouteDeps): void {
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
      await setTotpSecret(db, user.id, sealSecret(secret, config.secretKey));
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
      const row = await totpEnrolment(db, principal.user.id);
      if (!row.totp_secret || row.totp_enabled_at)
        throw new UnprocessableError('start with POST /auth/totp/setup');
      const step = await verifyTotp(openSecret(row.totp_secret, config.secretKey), req.body.code, null);
      if (step === null)
        throw new UnprocessableError('wrong TOTP code', [
          { path: 'code', in: 'body', message: 'wrong code' },
        ]);
      await db.transaction().execute(async (trx) => {
        await enableTotp(trx, principal.user.id, step);
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
        response: answers({ 204: noContent }, 403, 429),
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const passwordHash = await userPasswordHash(db, principal.user.id);
      const keys = throttleKeys(principal.user.email, req.ip);
      const ok = await throttledCheck(db, config, keys, () =>
        verifyPassword(passwordHash, req.body.password),
      );
      if (!ok) throw new ForbiddenError('the password is wrong');
      await db.transaction().execute(async (trx) => {
        await disableTotp(trx, principal.user.id);
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
