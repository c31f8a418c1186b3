import { z } from 'zod';
import { displayName, email, idParam, password, timestamp } from './common.ts';

export const totpCode = z.string().regex(/^[0-9]{6}$/, 'six digits');

export const loginBody = z
  .object({ email, password: z.string().min(1).max(256), totp: totpCode.optional() })
  .strict();
export type LoginBody = z.infer<typeof loginBody>;

export const userSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: z.enum(['admin', 'customer']),
    customerId: z.number().int().nullable(),
    totpEnabled: z.boolean(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const loginAnswer = z.object({
  user: userSchema,
  csrfToken: z.string().describe('send it back in the x-csrf-token header on mutations'),
  expiresAt: timestamp,
});

export const meAnswer = z.object({ user: userSchema, via: z.enum(['session', 'token']) });

export const changePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: password })
  .strict();

export const totpSetupAnswer = z.object({
  secret: z.string().describe('base32; shown once, during enrolment only'),
  otpauthUrl: z.string(),
});
export const totpCodeBody = z.object({ code: totpCode }).strict();
export const totpDisableBody = z.object({ password: z.string().min(1).max(256) }).strict();

export const tokenScope = z.enum(['read', 'write']);

export const createTokenBody = z
  .object({ name: displayName.max(80), scope: tokenScope.default('write'), expiresAt: timestamp.optional() })
  .strict()
  .refine((b) => !b.expiresAt || Date.parse(b.expiresAt) > Date.now(), {
    path: ['expiresAt'],
    message: 'must be in the future',
  });
export type CreateTokenBody = z.infer<typeof createTokenBody>;

export const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    scope: tokenScope,
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'ApiToken' });

export const createdTokenSchema = tokenSchema.extend({ token: z.string().describe('shown once') });

export const tokenParams = z.object({ id: idParam }).strict();
