import { problemSchema } from '@hostplane/contracts';
import { z } from 'zod';

type Code = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** Response schemas of a route: its answers plus the problem+json errors it can give. */
export function answers<T extends Record<number, z.ZodType>>(ok: T, ...codes: Code[]) {
  const errors: Partial<Record<Code, typeof problemSchema>> = {};
  for (const code of [400, 401, ...codes] as Code[]) errors[code] = problemSchema;
  return { ...ok, ...errors } as T & Record<Code, typeof problemSchema>;
}

/** 204: no body (@fastify/swagger renders a null schema as an answer without content). */
export const noContent = z.null().describe('No content');
