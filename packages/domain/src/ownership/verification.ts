// Domain ownership (README "Domain verification"): a domain is verified when, asked through a
// recursive resolver that follows delegation from the root, its NS set is the platform's name
// servers, or TXT `_hostplane-challenge.{domain}` holds the token the API gave for it. Until then
// nothing that captures traffic for the name goes live. Pure: the worker observes, this decides.

export type VerificationState = 'Pending' | 'Verified' | 'Failed';
export type VerificationMethod = 'ns' | 'txt' | 'admin';

export const CHALLENGE_LABEL = '_hostplane-challenge';

/** The TXT owner that carries the token of `domain`. */
export function challengeName(domain: string): string {
  return `${CHALLENGE_LABEL}.${domain}`;
}

/** What the resolver said about one domain. */
export interface OwnershipObservation {
  /** The domain's own NS set (lowercase, no trailing dot); empty when it has none; null when the lookup failed. */
  nameservers: string[] | null;
  /** The TXT strings at the challenge name (each record's strings joined); null when the lookup failed. */
  txt: string[] | null;
  /** Resolver failures (timeouts, SERVFAIL), in words. */
  errors: string[];
}

export interface OwnershipJudgement {
  /** null: no proof found; undefined never. */
  method: 'ns' | 'txt' | null;
  /** True when the resolver failed so badly that nothing can be concluded. */
  inconclusive: boolean;
  message: string;
}

const bare = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

/** Decides whether an observation proves the domain is delegated to the platform or carries the token. */
export function judgeOwnership(
  domain: string,
  token: string,
  platformNameservers: readonly string[],
  observation: OwnershipObservation,
): OwnershipJudgement {
  const ours = new Set(platformNameservers.map(bare));
  const ns = observation.nameservers?.map(bare) ?? null;
  if (ns && ns.length > 0 && ns.every((host) => ours.has(host))) {
    return {
      method: 'ns',
      inconclusive: false,
      message: `${domain} is delegated to ${[...ns].sort().join(', ')}`,
    };
  }
  if (observation.txt?.some((value) => value.trim() === token)) {
    return { method: 'txt', inconclusive: false, message: `TXT ${challengeName(domain)} holds the token` };
  }
  if (ns === null && observation.txt === null) {
    return {
      method: null,
      inconclusive: true,
      message: `no conclusive answer from the resolver (${observation.errors.join('; ') || 'no answer'}); checking again later`,
    };
  }
  const nsPart =
    ns === null
      ? 'its NS set could not be read'
      : ns.length === 0
        ? `${domain} has no NS set of its own (not delegated)`
        : `${domain} is delegated to ${[...ns].sort().join(', ')}, not to ${[...ours].sort().join(', ')}`;
  return {
    method: null,
    inconclusive: false,
    message: `${nsPart}; and TXT ${challengeName(domain)} does not hold the token`,
  };
}

export interface VerificationPolicy {
  retryInitialSeconds: number;
  retryMaxSeconds: number;
  recheckVerifiedSeconds: number;
  revokeAfterFailures: number;
}

export interface VerificationStatus {
  state: VerificationState;
  method: VerificationMethod | null;
  message: string;
  /** Checks in a row that found no proof. */
  failures: number;
}

export interface VerificationStep extends VerificationStatus {
  /** Seconds until the next scheduled check. */
  nextCheckInSeconds: number;
}

/** Backoff for a domain without proof: initial, doubling per failure, capped. */
export function retryDelaySeconds(failures: number, policy: VerificationPolicy): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(policy.retryInitialSeconds * 2 ** exponent, policy.retryMaxSeconds);
}

/**
 * The status after one check. Proof: Verified, rechecked after `recheckVerifiedSeconds`. No proof:
 * Failed, rechecked with backoff; a Verified domain keeps its state for `revokeAfterFailures - 1`
 * misses (a registrar's hiccup does not take mail down) and is then revoked. An admin's mark is
 * never revoked by a check. An inconclusive check changes nothing but the message.
 */
export function nextVerification(
  current: VerificationStatus,
  judgement: OwnershipJudgement,
  policy: VerificationPolicy,
): VerificationStep {
  if (current.state === 'Verified' && current.method === 'admin') {
    return { ...current, nextCheckInSeconds: policy.recheckVerifiedSeconds };
  }
  if (judgement.inconclusive) {
    return {
      ...current,
      message: judgement.message,
      nextCheckInSeconds: retryDelaySeconds(Math.max(1, current.failures), policy),
    };
  }
  if (judgement.method) {
    return {
      state: 'Verified',
      method: judgement.method,
      message: judgement.message,
      failures: 0,
      nextCheckInSeconds: policy.recheckVerifiedSeconds,
    };
  }
  const failures = current.failures + 1;
  if (current.state === 'Verified' && failures < policy.revokeAfterFailures) {
    return {
      ...current,
      failures,
      message: `still verified, but the last check found no proof (${failures} of ${policy.revokeAfterFailures} before revocation): ${judgement.message}`,
      nextCheckInSeconds: retryDelaySeconds(failures, policy),
    };
  }
  return {
    state: 'Failed',
    method: null,
    failures,
    message: judgement.message,
    nextCheckInSeconds: retryDelaySeconds(failures, policy),
  };
}

/** A domain row as far as verification goes. */
export interface OwnedDomain {
  name: string;
  verified: boolean;
}

/** True when `name` is `parent` itself or a name below it. */
function within(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}

/**
 * The customer's domain a host belongs to: the longest of its domains equal to or above the host
 * (a wildcard host `*.x` belongs where `x` does); undefined when none covers it.
 */
export function coveringDomain<D extends OwnedDomain>(host: string, domains: readonly D[]): D | undefined {
  const name = host.startsWith('*.') ? host.slice(2) : host;
  return domains.filter((d) => within(name, d.name)).sort((a, b) => b.name.length - a.name.length)[0];
}

/**
 * True when traffic for `name` may go live for this customer: one of its own domains at or above the
 * name is verified (proof for example.com covers shop.example.com of the same customer).
 */
export function isNameVerified(name: string, domains: readonly OwnedDomain[]): boolean {
  const bareName = name.startsWith('*.') ? name.slice(2) : name;
  return domains.some((d) => d.verified && within(bareName, d.name));
}

/** The port the worker asks (implemented in the DNS room over a recursive resolver). */
export interface OwnershipLookup {
  observe(domain: string, signal?: AbortSignal): Promise<OwnershipObservation>;
}
