import { randomBytes } from 'node:crypto';
import type { PanelDatabase, Role } from '@hostplane/db';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError } from '../errors.ts';
import { hashPassword } from './passwords.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface NewUserInput {
  email: string;
  password: string;
  role: Role;
  customerId?: number | null;
}

/** Creates a login; 409 when the email is taken. Returns the user id. */
export async function createUser(db: Db, input: NewUserInput): Promise<number> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const row = await db
    .insertInto('users')
    .values({ email, password_hash: passwordHash, role: input.role, customer_id: input.customerId ?? null })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new ConflictError(`a user with email ${email} already exists`, 'email-taken');
  return row.id;
}

export function createAdminUser(db: Db, email: string, password: string): Promise<number> {
  return createUser(db, { email, password, role: 'admin' });
}

export async function findUserIdByEmail(db: Db, email: string): Promise<number | null> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * For `npm start`: creates an admin with a generated password when the panel has none. The
 * password is returned once (to print) and never stored in clear.
 */
export async function ensureAdminUser(
  db: Kysely<PanelDatabase>,
  email: string,
): Promise<{ created: false } | { created: true; email: string; password: string }> {
  const existing = await db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (existing) return { created: false };
  const password = randomBytes(15).toString('base64url');
  await createAdminUser(db, email, password);
  return { created: true, email: email.trim().toLowerCase(), password };
}
