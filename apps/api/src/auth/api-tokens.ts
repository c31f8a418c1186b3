import type { PanelDatabase, TokenScope } from '@hostplane/db';
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
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: userId,
      name: input.name,
      scope: input.scope,
      token_hash: sha256Hex(token),
      expires_at: input.expiresAt ?? null,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, token, createdAt: row.created_at };
}
