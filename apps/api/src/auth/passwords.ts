import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 20 ms here.
// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const options = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored.replace(/^\{ARGON2ID\}/, ''), password);
  } catch {
    // A malformed stored hash can never match; treated as a wrong password, not a crash.
    return false;
  }
}

/** Mail passwords carry Dovecot's scheme prefix. */
export async function hashMailPassword(password: string): Promise<string> {
  return `{ARGON2ID}${await hashPassword(password)}`;
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so unknown accounts cannot be told apart by timing. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('hostplane-dummy-password');
  await verifyPassword(await dummyHash, password);
}
