// Who may log in, decided against the panel database at each attempt (no cache: a suspension, a
// removed key or a new password counts at once). Failures are counted in PostgreSQL, so the limits
// hold across gateway replicas: an address over its limit is refused without a check (that is where
// a guesser sits); an account over its limit is only slowed down, so a guesser cannot lock its owner out.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  clearSftpAccountFailures,
  countSftpFailures,
  findSftpLogin,
  type PanelDatabase,
  recordSftpFailure,
  type SftpLogin,
  sftpThrottleKeys,
} from '@hostplane/db';
import { customerIdOfSftpUser } from '@hostplane/domain';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { SftpGatewaySettings } from './settings.ts';

export type Credential =
  | { method: 'password'; password: string }
  /** `verify` checks the client's signature with the stored key (absent: the client only asks whether the key would do). */
  | { method: 'publickey'; blob: Buffer; verify: ((keyLine: string) => boolean) | null };

export type AuthOutcome =
  | { ok: true; customerId: number }
  | { ok: false; reason: 'throttled' | 'unknown' | 'wrong' | 'suspended' | 'key-unknown'; counted: boolean };

let dummyHash: Promise<string> | undefined;
// The API's parameters (OWASP argon2id baseline); algorithm 2 is Argon2id.
const DUMMY_OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  try {
    // Unknown users and users without a password spend the same time as a real check.
    dummyHash ??= hash('hostplane-sftp-dummy-password', DUMMY_OPTIONS);
    const ok = await verify(stored ?? (await dummyHash), password);
    return ok && stored !== null;
  } catch {
    return false;
  }
}

function keyMatches(login: SftpLogin | null, blob: Buffer): string | null {
  const key = login?.publicKeys.find((k) => Buffer.from(k.blob, 'base64').equals(blob));
  return key ? `${key.type} ${key.blob}` : null;
}

function usable(login: SftpLogin | null): login is SftpLogin {
  return login !== null && !login.suspended && !login.deleting;
}

export async function authenticate(
  db: Kysely<PanelDatabase>,
  throttle: SftpGatewaySettings['throttle'],
  attempt: { username: string; ip: string; credential: Credential },
): Promise<AuthOutcome> {
  const { username, ip, credential } = attempt;
  const customerId = customerIdOfSftpUser(username);
  const login = customerId === null ? null : await findSftpLogin(db, customerId);
  // A key offered without a signature is a question ("would this key do?"): not a failure.
  if (credential.method === 'publickey' && credential.verify === null) {
    return usable(login) && keyMatches(login, credential.blob)
      ? { ok: true, customerId: login.customerId }
      : { ok: false, reason: 'key-unknown', counted: false };
  }
  const keys = sftpThrottleKeys(username, ip);
  const failures = await countSftpFailures(db, keys, throttle.windowSeconds);
  if (failures.ip >= throttle.failuresPerIp) return { ok: false, reason: 'throttled', counted: false };
  if (failures.account >= throttle.failuresPerAccount) await sleep(throttle.accountDelayMs);
  let ok: boolean;
  if (credential.method === 'password') {
    ok = await checkPassword(login?.passwordHash ?? null, credential.password);
  } else {
    const keyLine = keyMatches(login, credential.blob);
    ok = keyLine !== null && credential.verify!(keyLine);
  }
  if (!ok || login === null) {
    await recordSftpFailure(db, keys);
    return { ok: false, reason: login === null ? 'unknown' : 'wrong', counted: true };
  }
  if (!usable(login)) return { ok: false, reason: 'suspended', counted: false };
  await clearSftpAccountFailures(db, keys);
  return { ok: true, customerId: login.customerId };
}
