import type { PanelDatabase } from '@hostplane/db';
import { type Kysely, sql } from 'kysely';
import type { ApiConfig } from '../config.ts';
import { TooManyRequestsError } from '../errors.ts';

// Failures live in PostgreSQL, not in memory, so the limit holds across API replicas.
export function throttleKeys(email: string, ip: string): { account: string; ip: string } {
  return { account: `email:${email}`, ip: `ip:${ip}` };
}

/** 429 with Retry-After when the account or the address has too many recent failures. */
export async function assertLoginAllowed(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  keys: { account: string; ip: string },
): Promise<void> {
  const rows = await db
    .selectFrom('login_failures')
    .select(['key', sql<number>`count(*)`.as('failures'), sql<Date>`min(created_at)`.as('oldest')])
    .where('key', 'in', [keys.account, keys.ip])
    .where('created_at', '>', sql<Date>`now() - make_interval(secs => ${config.loginWindowSeconds})`)
    .groupBy('key')
    .execute();
  for (const row of rows) {
    const limit = row.key === keys.account ? config.loginFailuresPerAccount : config.loginFailuresPerIp;
    if (row.failures >= limit) {
      const retryAfter = (row.oldest.getTime() + config.loginWindowSeconds * 1000 - Date.now()) / 1000;
      const what = row.key === keys.account ? 'this account' : 'this address';
      throw new TooManyRequestsError(retryAfter, `too many failed sign-ins for ${what}; try again later`);
    }
  }
}

export async function recordLoginFailure(
  db: Kysely<PanelDatabase>,
  keys: { account: string; ip: string },
): Promise<void> {
  await db
    .insertInto('login_failures')
    .values([{ key: keys.account }, { key: keys.ip }])
    .execute();
}

/** A successful sign-in clears the account's failures and drops expired rows. */
export async function clearLoginFailures(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  keys: { account: string },
): Promise<void> {
  await db
    .deleteFrom('login_failures')
    .where((eb) =>
      eb.or([
        eb('key', '=', keys.account),
        eb('created_at', '<', sql<Date>`now() - make_interval(secs => ${config.loginWindowSeconds})`),
      ]),
    )
    .execute();
}
