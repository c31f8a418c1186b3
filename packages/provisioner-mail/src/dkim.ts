import { type DkimSigningKey, isDkimRotation } from '@hostplane/domain';

// The mail target's plan for the DKIM key store: how the stored keys are brought to the desired ones
// (the desired keys and the selector/rotation rules are @hostplane/domain's mail/dkim).

export interface DkimPlan {
  write: DkimSigningKey[];
  remove: string[];
  /** Domains whose new selector is not yet served by DNS: they keep signing with the stored key. */
  awaitingDns: string[];
}

/**
 * `published` tells, per domain, whether the desired selector's TXT is served by DNS. A new selector
 * (a rotation) replaces the stored key only once it is: signing with a key nobody can look up would
 * fail every verifier. The previous selector stays published by the DNS target meanwhile.
 */
export function planDkimKeys(
  desired: DkimSigningKey[],
  stored: DkimSigningKey[],
  published: (key: DkimSigningKey) => boolean,
): DkimPlan {
  const storedByDomain = new Map(stored.map((k) => [k.domain, k]));
  const wanted = new Set(desired.map((k) => k.domain));
  const write: DkimSigningKey[] = [];
  const awaitingDns: string[] = [];
  for (const key of desired) {
    const current = storedByDomain.get(key.domain);
    if (current && current.selector === key.selector && current.privateKeyPem === key.privateKeyPem) continue;
    if (isDkimRotation(current, key) && !published(key)) awaitingDns.push(key.domain);
    else write.push(key);
  }
  const remove = stored.filter((k) => !wanted.has(k.domain)).map((k) => k.domain);
  return { write, remove, awaitingDns };
}
