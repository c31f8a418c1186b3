import { setTimeout as sleep } from 'node:timers/promises';
import {
  clearAccountLoginFailures,
  countLoginFailures,
  insertLoginFailures,
  type PanelDatabase,
} from '@hostplane/db';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.ts';
import { TooManyRequestsError } from '../errors.ts';

// Failures live in PostgreSQL, not in memory, so the limit holds across API replicas.
export interface ThrottleKeys {
  account: string;
  ip: string;
}

export function throttleKeys(email: string, ip: string): ThrottleKeys {
  return { account: `email:${email}`, ip: `ip:${ip}` };
}

interface ThrottleState {
  /** Seconds until the address may try again; null when it is under its limit. */
  ipBlockedFor: number | null;
  accountThrottled: boolean;
}

async function throttleState(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  keys: ThrottleKeys,
): Promise<ThrottleState> {
  const rows = await countLoginFailures(db, [keys.account, keys.ip], config.loginWindowSeconds);
  const state: ThrottleState = { ipBlockedFor: null, accountThrottled: false };
  for (const row of rows) {
    if (row.key === keys.account) state.accountThrottled = row.failures >= config.loginFailuresPerAccount;
    else if (row.failures >= config.loginFailuresPerIp)
      state.ipBlockedFor = (row.oldest.getTime() + config.loginWindowSeconds * 1000 - Date.now()) / 1000;
  }
  return state;
}

/**
 * Every password (and TOTP) check of the API goes through here. An address with too many recent
 * failures is refused (429 + Retry-After): that is where a guesser sits. An account with too many
 * failures is only slowed down (each attempt waits loginThrottleDelayMs before it is checked), so
 * a guesser cannot lock its owner out: the right password is delayed, never refused.
 */
export async function throttledCheck(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  keys: ThrottleKeys,
  check: () => Promise<boolean>,
): Promise<boolean> {
  const state = await throttleState(db, config, keys);
  if (state.ipBlockedFor !== null)
    throw new TooManyRequestsError(
      state.ipBlockedFor,
      'too many failed sign-ins for this address; try again later',
    );
  if (state.accountThrottled) await sleep(config.loginThrottleDelayMs);
  const ok = await check();
  if (!ok) await recordLoginFailure(db, keys);
  return ok;
}

export async function recordLoginFailure(db: Kysely<PanelDatabase>, keys: ThrottleKeys): Promise<void> {
  await insertLoginFailures(db, [keys.account, keys.ip]);
}

/** A successful sign-in clears the account's failures and drops expired rows. */
export async function clearLoginFailures(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  keys: { account: string },
): Promise<void> {
  await clearAccountLoginFailures(db, keys.account, config.loginWindowSeconds);
}
