import { insertApiToken, type PanelDatabase, type TokenScope } from '@hostplane/db';
import type { Kysely, Transaction } from 'kysely';
import { randomSecret, sha256Hex, TOKEN_PREFIX } from './secrets.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface NewTokenInput {
  name: string;
  scope: TokenScope;
  expiresAt?: Date | null;
}

export interface CreatedToken {
  id: number;
  /** The only time the clear token exists: only its sha256 is stored. */
  token: string;
  createdAt: Date;
}

export async function createApiToken(db: Db, userId: number, input: NewTokenInput): Promise<CreatedToken> {
  const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
  const row = await insertApiToken(db, {
    userId,
    name: input.name,
    scope: input.scope,
    tokenHash: sha256Hex(token),
    expiresAt: input.expiresAt ?? null,
  });
  return { id: row.id, token, createdAt: row.created_at };
}
