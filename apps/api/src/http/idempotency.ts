import { createHash } from 'node:crypto';
import {
  findIdempotencyKey,
  insertIdempotencyKey,
  type PanelDatabase,
  storeIdempotencyAnswer,
} from '@hostplane/db';
import { openStoredSecret, sealSecret } from '@hostplane/domain';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { BadRequestError, UnprocessableError } from '../errors.ts';
import { redactSecrets } from './redact.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export interface IdempotencyClaim {
  userId: number;
  key: string;
}

export type ClaimResult =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: unknown };

function requestHash(req: FastifyRequest): string {
  return (
    createHash('sha256')
      // Secrets are left out: a fast hash of a body holding a password would let anyone with the
      // database guess the password offline. A retry differing only in a secret counts as the same.
      .update(`${req.method} ${req.url.split('?')[0]}\n${JSON.stringify(redactSecrets(req.body ?? null))}`)
      .digest('hex')
  );
}

/**
 * Claims the request's Idempotency-Key inside the mutation's transaction. The insert waits on a
 * concurrent first use of the key until that transaction ends, so two racing retries cannot both
 * take effect: the second sees the stored answer. A rolled-back first attempt frees the key.
 */
export async function claimIdempotencyKey(
  trx: Transaction<PanelDatabase>,
  req: FastifyRequest,
): Promise<ClaimResult | null> {
  const key = req.headers[IDEMPOTENCY_HEADER];
  if (key === undefined || req.method !== 'POST' || !req.principal) return null;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new BadRequestError('Idempotency-Key must be 1 to 200 visible ASCII characters', [
      { path: IDEMPOTENCY_HEADER, in: 'headers', message: 'invalid' },
    ]);
  }
  const userId = req.principal.user.id;
  const hash = requestHash(req);
  const inserted = await insertIdempotencyKey(trx, {
    userId,
    key,
    method: req.method,
    path: req.url.split('?')[0]!,
    requestHash: hash,
  });
  if (inserted) return { kind: 'claimed', claim: { userId, key } };
  const existing = await findIdempotencyKey(trx, userId, key);
  if (existing.request_hash !== hash || existing.response_status === null) {
    throw new UnprocessableError(
      'this Idempotency-Key was used with another request; use a new key for a new request',
      [{ path: IDEMPOTENCY_HEADER, in: 'headers', message: 'reused with a different body or path' }],
      'idempotency-key-reused',
    );
  }
  return {
    kind: 'replay',
    status: existing.response_status,
    body: openAnswer(existing.response_body, req.server.secretKey),
  };
}

/**
 * The stored answer is sealed like every secret the panel keeps (AES-256-GCM under SECRET_KEY): a
 * create's answer may carry a password shown only once (a database user's, a token), and a dump of
 * the database must not give it away. Answers stored before sealing are read as they are.
 */
function sealAnswer(body: unknown, secretKey: string | undefined): string {
  return JSON.stringify({ sealed: sealSecret(JSON.stringify(body ?? null), secretKey) });
}

function openAnswer(stored: unknown, secretKey: string | undefined): unknown {
  if (stored !== null && typeof stored === 'object' && 'sealed' in stored) {
    const { sealed } = stored as { sealed: unknown };
    if (typeof sealed === 'string') return JSON.parse(openStoredSecret(sealed, secretKey));
  }
  return stored;
}

export async function storeIdempotentAnswer(
  trx: Transaction<PanelDatabase>,
  claim: IdempotencyClaim,
  status: number,
  body: unknown,
  secretKey: string | undefined,
): Promise<void> {
  await storeIdempotencyAnswer(trx, claim.userId, claim.key, status, sealAnswer(body, secretKey));
}
