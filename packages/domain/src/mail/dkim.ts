// DKIM rules (DESIGN §3: RSA 2048, TXT at `{selector}._domainkey.{domain}`): the selector a new key
// takes, the two rotation steps, and which signing key each domain of a customer should have. The API
// (new and rotated keys), the DNS target (published selectors) and the mail target (the key store)
// all read them here.
import { isNameVerified } from '../ownership/verification.ts';
import type { CustomerSnapshot, DomainRow } from '../snapshot.ts';

/** What the key store holds per domain: the selector Rspamd signs with and its private key. */
export interface DkimSigningKey {
  domain: string;
  selector: string;
  privateKeyPem: string;
}

export function desiredDkimKeys(snapshot: CustomerSnapshot): DkimSigningKey[] {
  if (snapshot.deleting) return [];
  return (
    snapshot.domains
      // Rspamd signs only for names the customer has proven are theirs.
      .filter((d) => d.mail && d.dkim && isNameVerified(d.name, snapshot.domains))
      .map((d) => ({
        domain: d.name.toLowerCase(),
        selector: (d.dkim?.selector ?? '').toLowerCase(),
        privateKeyPem: d.dkim?.privateKeyPem ?? '',
      }))
      .sort((a, b) => a.domain.localeCompare(b.domain))
  );
}

/** A selector unused by this domain: `hpYYYYMM`, then `hpYYYYMMb`, `…c`, within the same month. */
export function nextDkimSelector(taken: readonly (string | null)[], now: Date): string {
  const base = `hp${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const used = new Set(taken.filter((s): s is string => s !== null).map((s) => s.toLowerCase()));
  if (!used.has(base)) return base;
  for (let code = 'b'.charCodeAt(0); code <= 'z'.charCodeAt(0); code++) {
    const candidate = `${base}${String.fromCharCode(code)}`;
    if (!used.has(candidate)) return candidate;
  }
  throw new Error(`no free DKIM selector left for ${base}`);
}

export type DomainDkim = NonNullable<DomainRow['dkim']>;

/**
 * Whether a desired key rotates the stored one (a new selector). A rotated selector signs only once
 * its TXT record is served: the mail target waits for DNS before it replaces the stored key.
 */
export function isDkimRotation(
  stored: { selector: string } | undefined,
  desired: { selector: string },
): boolean {
  return stored !== undefined && stored.selector !== desired.selector;
}

/**
 * Rotation step 1 (the API, on "rotate"): the new key signs once its TXT is served; the current one
 * becomes `previous` and stays published. A rotation during a rotation is refused: the previous key
 * would vanish from DNS while mail signed with it may still be in flight.
 */
export function rotateDkim(
  current: DomainDkim,
  fresh: { publicKey: string; privateKeyPem: string },
  now: Date,
): DomainDkim {
  if (current.previousSelector !== null) {
    throw new Error(`a rotation is in progress (${current.previousSelector} is still published)`);
  }
  return {
    selector: nextDkimSelector([current.selector], now),
    publicKey: fresh.publicKey,
    privateKeyPem: fresh.privateKeyPem,
    previousSelector: current.selector,
    previousPublicKey: current.publicKey,
  };
}

/** Rotation step 2 (the API/worker, later): the new selector signs (the Mail condition is True for a
 * generation at or after the rotation) and a grace period for mail in flight has passed. */
export function previousDkimRetirable(input: {
  rotatedAt: Date;
  now: Date;
  mailReadyGeneration: number | null;
  rotationGeneration: number;
  graceHours?: number;
}): boolean {
  const graceMs = (input.graceHours ?? 72) * 3_600_000;
  const signing = input.mailReadyGeneration !== null && input.mailReadyGeneration >= input.rotationGeneration;
  return signing && input.now.getTime() - input.rotatedAt.getTime() >= graceMs;
}

export function retirePreviousDkim(current: DomainDkim): DomainDkim {
  return { ...current, previousSelector: null, previousPublicKey: null };
}
