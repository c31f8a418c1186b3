import { randomBytes } from 'node:crypto';
import { anyAdminUser, insertUser, type PanelDatabase, type Role, userIdByEmail } from '@hostplane/db';
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
  const id = await insertUser(db, {
    email,
    passwordHash,
    role: input.role,
    customerId: input.customerId ?? null,
  });
  if (id === undefined) throw new ConflictError(`a user with email ${email} already exists`, 'email-taken');
  return id;
}

export function createAdminUser(db: Db, email: string, password: string): Promise<number> {
  return createUser(db, { email, password, role: 'admin' });
}

export function findUserIdByEmail(db: Db, email: string): Promise<number | null> {
  return userIdByEmail(db, email.trim().toLowerCase());
}

/**
 * For `npm start`: creates an admin with a generated password when the panel has none. The
 * password is returned once (to print) and never stored in clear.
 */
export async function ensureAdminUser(
  db: Kysely<PanelDatabase>,
  email: string,
): Promise<{ created: false } | { created: true; email: string; password: string }> {
  if (await anyAdminUser(db)) return { created: false };
  const password = randomBytes(15).toString('base64url');
  await createAdminUser(db, email, password);
  return { created: true, email: email.trim().toLowerCase(), password };
}
