// Queries of the SFTP room (docs/sftp.md): the customer's credentials (API and snapshot) and what the
// gateway reads at login, plus its failure counts in login_failures (shared with the API's sign-in
// throttle, keys prefixed `sftp:` so the two never count each other's failures).
import type { SftpPublicKey } from '@hostplane/domain';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export type StoredSftpKey = SftpPublicKey;

export interface SftpCredentials {
  passwordHash: string | null;
  publicKeys: StoredSftpKey[];
  updatedAt: Date;
}

export async function readSftpCredentials(db: Db, customerId: number): Promise<SftpCredentials | null> {
  const row = await db
    .selectFrom('customer_sftp')
    .select(['password_hash', 'public_keys', 'updated_at'])
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!row) return null;
  return { passwordHash: row.password_hash, publicKeys: row.public_keys, updatedAt: row.updated_at };
}

/** Writes the fields given (undefined: unchanged; a null password removes it); returns the result. */
export async function writeSftpCredentials(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  change: { passwordHash?: string | null; publicKeys?: StoredSftpKey[] },
): Promise<SftpCredentials> {
  const current = await readSftpCredentials(trx, customerId);
  const passwordHash =
    change.passwordHash !== undefined ? change.passwordHash : (current?.passwordHash ?? null);
  const publicKeys = change.publicKeys ?? current?.publicKeys ?? [];
  const row = await trx
    .insertInto('customer_sftp')
    .values({ customer_id: customerId, password_hash: passwordHash, public_keys: JSON.stringify(publicKeys) })
    .onConflict((oc) =>
      oc.column('customer_id').doUpdateSet({
        password_hash: passwordHash,
        public_keys: JSON.stringify(publicKeys),
        updated_at: sql<Date>`now()`,
      }),
    )
    .returning(['password_hash', 'public_keys', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { passwordHash: row.password_hash, publicKeys: row.public_keys, updatedAt: row.updated_at };
}

export function sftpEnabled(
  credentials: Pick<SftpCredentials, 'passwordHash' | 'publicKeys'> | null,
): boolean {
  return Boolean(credentials && (credentials.passwordHash || credentials.publicKeys.length > 0));
}

/** What the gateway needs to decide a login: null when there is no such customer (or it is gone). */
export interface SftpLogin extends SftpCredentials {
  customerId: number;
  suspended: boolean;
  deleting: boolean;
}

export async function findSftpLogin(db: Db, customerId: number): Promise<SftpLogin | null> {
  const row = await db
    .selectFrom('customers')
    .innerJoin('customer_sftp', 'customer_sftp.customer_id', 'customers.id')
    .select([
      'customers.id',
      'customers.suspended',
      'customers.deleting',
      'customer_sftp.password_hash',
      'customer_sftp.public_keys',
      'customer_sftp.updated_at',
    ])
    .where('customers.id', '=', customerId)
    .where('customers.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    customerId: row.id,
    suspended: row.suspended,
    deleting: row.deleting,
    passwordHash: row.password_hash,
    publicKeys: row.public_keys,
    updatedAt: row.updated_at,
  };
}

/** Failure keys of one attempt: the login name and the client's address. */
export interface SftpThrottleKeys {
  account: string;
  ip: string;
}

export function sftpThrottleKeys(username: string, ip: string): SftpThrottleKeys {
  return { account: `sftp:user:${username}`, ip: `sftp:ip:${ip}` };
}

/** Recent failures per key within the window. */
export async function countSftpFailures(
  db: Db,
  keys: SftpThrottleKeys,
  windowSeconds: number,
): Promise<{ account: number; ip: number; ipOldest: Date | null }> {
  const rows = await db
    .selectFrom('login_failures')
    .select(['key', sql<number>`count(*)::int`.as('failures'), sql<Date>`min(created_at)`.as('oldest')])
    .where('key', 'in', [keys.account, keys.ip])
    .where('created_at', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .groupBy('key')
    .execute();
  const of = (key: string) => rows.find((r) => r.key === key);
  return {
    account: of(keys.account)?.failures ?? 0,
    ip: of(keys.ip)?.failures ?? 0,
    ipOldest: of(keys.ip)?.oldest ?? null,
  };
}

export async function recordSftpFailure(db: Db, keys: SftpThrottleKeys): Promise<void> {
  await db
    .insertInto('login_failures')
    .values([{ key: keys.account }, { key: keys.ip }])
    .execute();
}

/** A successful login clears the account's failures (not the address's: a guesser stays blocked). */
export async function clearSftpAccountFailures(db: Db, keys: SftpThrottleKeys): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', keys.account).execute();
}
