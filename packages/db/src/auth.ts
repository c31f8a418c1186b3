// Logins, sessions, API tokens, TOTP and the sign-in throttle: the queries of the API's auth layer.
// Hashing, secrets and the access rules stay in the API; these only read and write the rows.
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import { preparedRead } from './prepared.ts';
import type { PanelDatabase, Role, TokenScope, UserRow } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/**
 * Users of a customer being deleted have no access (their sessions and tokens are also removed
 * when the deletion starts; this holds even for one created in the same instant).
 */
export function notOfDeletedCustomer(eb: ExpressionBuilder<PanelDatabase, 'users'>) {
  return eb.or([
    eb('users.customer_id', 'is', null),
    eb.not(
      eb.exists(
        eb
          .selectFrom('customers')
          .select('customers.id')
          .whereRef('customers.id', '=', 'users.customer_id')
          .where((c) =>
            c.or([c('customers.deleting', '=', true), c('customers.deleted_at', 'is not', null)]),
          ),
      ),
    ),
  ]);
}

const userColumns = [
  'users.id as user_id',
  'users.email',
  'users.role',
  'users.customer_id',
  'users.totp_enabled_at',
] as const;

/** The user behind a principal, as the access rules read it. */
export interface PrincipalUserRow {
  user_id: number;
  email: string;
  role: Role;
  customer_id: number | null;
  totp_enabled_at: Date | null;
}

// --- users ---

export interface NewUserRow {
  email: string;
  passwordHash: string;
  role: Role;
  customerId: number | null;
}

/** Inserts a login; undefined when the email is taken (the unique index decides). */
export async function insertUser(db: Db, user: NewUserRow): Promise<number | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      customer_id: user.customerId,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function userIdByEmail(db: Db, email: string): Promise<number | null> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  return row?.id ?? null;
}

export async function anyAdminUser(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
  return row !== undefined;
}

/** The login of `email`; a deleted customer's login is not found (it answers as an unknown one). */
export function findLoginUser(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .where(notOfDeletedCustomer)
    .executeTakeFirst();
}

export async function userPasswordHash(db: Db, userId: number): Promise<string> {
  const row = await db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

/** Sets the password and ends the user's sessions except `keepSessionHash`. */
export async function changeUserPassword(
  trx: Db,
  userId: number,
  passwordHash: string,
  keepSessionHash: string | null,
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
  let others = trx.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionHash) others = others.where('id_hash', '<>', keepSessionHash);
  await others.execute();
}

// --- TOTP ---

/**
 * Moves the user's last used TOTP step forward to `step`, only if it is newer: of two logins
 * racing with the same code, only one claims it. True when claimed.
 */
export async function claimTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A new (not yet enabled) sealed TOTP secret. */
export async function setTotpSecret(db: Db, userId: number, sealedSecret: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret: sealedSecret, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
}

export function totpEnrolment(
  db: Db,
  userId: number,
): Promise<{ totp_secret: string | null; totp_enabled_at: Date | null }> {
  return db
    .selectFrom('users')
    .select(['totp_secret', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

export async function enableTotp(db: Db, userId: number, step: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_enabled_at: sql`now()`, totp_last_step: step })
    .where('id', '=', userId)
    .execute();
}

export async function disableTotp(db: Db, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
}

// --- sessions ---

export interface NewSessionRow {
  idHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(db: Db, session: NewSessionRow): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** The live session with this cookie hash and its user (not of a deleted customer). */
export function findSessionUser(
  db: Db,
  idHash: string,
): Promise<(PrincipalUserRow & { csrf_token: string }) | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([...userColumns, 'sessions.csrf_token'])
    .where('sessions.id_hash', '=', idHash)
    .where(notOfDeletedCustomer)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

// --- API tokens ---

export interface NewApiTokenRow {
  userId: number;
  name: string;
  scope: TokenScope;
  tokenHash: string;
  expiresAt: Date | null;
}

export function insertApiToken(db: Db, token: NewApiTokenRow): Promise<{ id: number; created_at: Date }> {
  return db
    .insertInto('api_tokens')
    .values({
      user_id: token.userId,
      name: token.name,
      scope: token.scope,
      token_hash: token.tokenHash,
      expires_at: token.expiresAt,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

export interface TokenUserRow extends PrincipalUserRow {
  token_id: number;
  scope: TokenScope;
  last_used_at: Date | null;
  expires_at: Date | null;
}

/**
 * The unexpired token with this hash and its user (not of a deleted customer). Prepared (every
 * bearer request runs it), and never cached in the process: a revoked or expired token, or a
 * customer whose deletion started, is refused by the very next request on any API replica.
 */
const tokenUserRead = preparedRead('hostplane_token_user', (db, tokenHash: string) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      ...userColumns,
      'api_tokens.id as token_id',
      'api_tokens.scope',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where(notOfDeletedCustomer)
    .where((eb) =>
      eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', sql<Date>`now()`)]),
    ),
);

export async function findTokenUser(db: Db, tokenHash: string): Promise<TokenUserRow | undefined> {
  const [row] = await tokenUserRead(db, tokenHash);
  return row;
}

export async function touchApiToken(db: Db, tokenId: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', tokenId).execute();
}

/** A page of the user's tokens after id `after` (one more than `limit`, to tell if a next page exists). */
export function pageUserTokens(db: Db, userId: number, after: number, limit: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scope', 'expires_at', 'last_used_at', 'created_at'])
    .where('user_id', '=', userId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

/** Deletes one of the user's tokens; undefined when it has no such token. */
export function deleteUserToken(
  db: Db,
  userId: number,
  tokenId: number,
): Promise<{ id: number; name: string; scope: TokenScope } | undefined> {
  return db
    .deleteFrom('api_tokens')
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .returning(['id', 'name', 'scope'])
    .executeTakeFirst();
}

// --- sign-in throttle (failures live in PostgreSQL so the limit holds across API replicas) ---

export interface LoginFailureCount {
  key: string;
  failures: number;
  oldest: Date;
}

/** Failures per key within the last `windowSeconds`. */
export function countLoginFailures(
  db: Db,
  keys: string[],
  windowSeconds: number,
): Promise<LoginFailureCount[]> {
  return db
    .selectFrom('login_failures')
    .select(['key', sql<number>`count(*)::int`.as('failures'), sql<Date>`min(created_at)`.as('oldest')])
    .where('key', 'in', keys)
    .where('created_at', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .groupBy('key')
    .execute();
}

export async function insertLoginFailures(db: Db, keys: string[]): Promise<void> {
  await db
    .insertInto('login_failures')
    .values(keys.map((key) => ({ key })))
    .execute();
}

/** Clears `key`'s failures and drops every row older than the window. */
export async function clearAccountLoginFailures(db: Db, key: string, windowSeconds: number): Promise<void> {
  await db
    .deleteFrom('login_failures')
    .where((eb) =>
      eb.or([
        eb('key', '=', key),
        eb('created_at', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds})`),
      ]),
    )
    .execute();
}

// --- housekeeping ---

/** Deletes expired sessions, idempotency keys older than the retention and failures outside the window. */
export async function purgeExpiredAuthRows(
  db: Kysely<PanelDatabase>,
  retention: { idempotencyHours: number; loginWindowSeconds: number },
): Promise<number> {
  const results = await Promise.all([
    db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst(),
    db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${retention.idempotencyHours})`)
      .executeTakeFirst(),
    db
      .deleteFrom('login_failures')
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${retention.loginWindowSeconds})`)
      .executeTakeFirst(),
  ]);
  return results.reduce((n, r) => n + Number(r.numDeletedRows), 0);
}
