// Rate-limit awareness for ACME (issue 13): the platform spaces a host's certificate attempts itself.
//
// Traefik v3.6's ACME provider (pkg/provider/acme/provider.go) has no backoff of its own: a failed
// obtain is logged ("Unable to obtain ACME certificate for domains") and forgotten, and the next obtain
// for the host starts on the next dynamic configuration Traefik receives from any provider (any Ingress,
// Service or endpoint change in the cluster, throttled only by providersThrottleDuration, 2 s). So a
// host that cannot validate is retried as often as the cluster changes: hammering the CA on a busy
// cluster (Let's Encrypt limits failed validations per account and host), never on a quiet one.
//
// The platform therefore owns the schedule. A host that wants TLS is on the resolver for one attempt
// window; if the edge does not serve its certificate by the window's end, the attempt counts as failed,
// the host is taken off the resolver (routed over HTTP only, so Traefik asks nothing for it) until the
// next attempt, spaced 1 min → 2 → 4 … capped at 1 h, and is then put back (a new router: Traefik
// orders again). Pure: the worker probes the edge, keeps the records in the panel database, and asks
// for its next pass at `wakeAt`.
import type { ServedCertificate } from './certificate-state.ts';

export interface AcmeBackoffPolicy {
  /** How long a host stays on the resolver for one attempt before it counts as failed. */
  attemptWindowMs: number;
  /** Off the resolver after the first failed attempt; doubles with each further failure. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_ACME_BACKOFF: AcmeBackoffPolicy = {
  attemptWindowMs: 120_000,
  initialDelayMs: 60_000,
  maxDelayMs: 3_600_000,
};

/** One host's attempts, as the panel database keeps them (per customer). */
export interface CertificateAttempt {
  host: string;
  /** Attempts made so far, the running one included. */
  attempts: number;
  /** The running attempt's start (the host is on the resolver); null while backing off. */
  attemptStartedAt: Date | null;
  /** The next attempt (the host is off the resolver until then); null while an attempt runs. */
  nextAttemptAt: Date | null;
  /** Why the last attempt counted as failed (what the edge served instead). */
  lastError: string | null;
}

export interface CertificateAttemptsPlan {
  /** The records to keep (sorted by host); hosts served their certificate have none. */
  records: CertificateAttempt[];
  /** Hosts off the resolver until their next attempt: routed over HTTP only. */
  backingOff: string[];
  /** When the next pass must look again (an attempt window ends or a next attempt is due). */
  wakeAt: Date | null;
}

/** Delay before attempt n+1 after n failed attempts: initial · 2^(n−1), capped. */
export function acmeRetryDelayMs(failedAttempts: number, policy: AcmeBackoffPolicy): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 30));
}

/**
 * The attempt succeeded once the edge serves a live certificate naming the host. Trust is not asked:
 * Traefik serves a host either a certificate of its resolver or its default one (which names no
 * customer host), and a worker with the wrong roots must not take a served host off its resolver.
 */
function servesOwn(served: ServedCertificate | undefined, now: Date): boolean {
  return served?.ok === true && served.namesHost && Date.parse(served.notAfter) > now.getTime();
}

function describeServed(served: ServedCertificate | undefined): string {
  if (!served) return 'not probed';
  if (!served.ok) return `the edge did not answer: ${served.error}`;
  return `the edge still served ${served.trusted ? 'a certificate not naming the host' : `an untrusted certificate (${served.issuer})`}`;
}

function next(
  host: string,
  record: CertificateAttempt | undefined,
  served: ServedCertificate | undefined,
  now: Date,
  policy: AcmeBackoffPolicy,
): CertificateAttempt | null {
  if (servesOwn(served, now)) return null;
  const t = now.getTime();
  if (!record) return { host, attempts: 1, attemptStartedAt: now, nextAttemptAt: null, lastError: null };
  if (record.nextAttemptAt) {
    if (record.nextAttemptAt.getTime() > t) return record;
    return { ...record, attempts: record.attempts + 1, attemptStartedAt: now, nextAttemptAt: null };
  }
  const started = record.attemptStartedAt ?? now;
  if (t - started.getTime() < policy.attemptWindowMs) return record;
  // An edge that does not answer says nothing about the CA: the attempt is not counted as failed.
  if (served && !served.ok) return record;
  return {
    ...record,
    attemptStartedAt: null,
    nextAttemptAt: new Date(t + acmeRetryDelayMs(record.attempts, policy)),
    lastError: describeServed(served),
  };
}

/**
 * The next state of a customer's certificate attempts. `hosts`: the hosts that want a certificate now
 * (routed and resolving to the platform). `held`: hosts still routed that do not resolve to the platform
 * at the moment (AwaitingDNS): their records are kept as they are, so a host whose DNS changes (or
 * flickers while a zone moves) neither loses its backoff nor starts a new attempt early; they set no
 * wake-up. Records of other hosts are dropped. `served`: what the edge served each wanted host in this
 * pass (a host off the resolver need not be probed).
 */
export function planCertificateAttempts(
  hosts: readonly string[],
  records: readonly CertificateAttempt[],
  served: ReadonlyMap<string, ServedCertificate>,
  now: Date,
  policy: AcmeBackoffPolicy = DEFAULT_ACME_BACKOFF,
  held: readonly string[] = [],
): CertificateAttemptsPlan {
  const byHost = new Map(records.map((r) => [r.host, r]));
  const wanted = new Set(hosts);
  const kept: CertificateAttempt[] = [];
  for (const host of [...wanted].sort()) {
    const record = next(host, byHost.get(host), served.get(host), now, policy);
    if (record) kept.push(record);
  }
  const heldRecords = [...new Set(held)]
    .filter((host) => !wanted.has(host))
    .flatMap((host) => byHost.get(host) ?? []);
  const wakes = kept.map((r) =>
    r.nextAttemptAt
      ? r.nextAttemptAt.getTime()
      : (r.attemptStartedAt ?? now).getTime() + policy.attemptWindowMs,
  );
  return {
    records: [...kept, ...heldRecords].sort((a, b) => a.host.localeCompare(b.host)),
    backingOff: kept.filter((r) => r.nextAttemptAt !== null).map((r) => r.host),
    wakeAt: wakes.length > 0 ? new Date(Math.max(now.getTime(), Math.min(...wakes))) : null,
  };
}

/** Hosts whose records must be written (new or changed) and hosts whose records go. */
export function certificateAttemptChanges(
  before: readonly CertificateAttempt[],
  after: readonly CertificateAttempt[],
): { upsert: CertificateAttempt[]; remove: string[] } {
  const same = (a: CertificateAttempt, b: CertificateAttempt) =>
    a.attempts === b.attempts &&
    a.attemptStartedAt?.getTime() === b.attemptStartedAt?.getTime() &&
    a.nextAttemptAt?.getTime() === b.nextAttemptAt?.getTime() &&
    a.lastError === b.lastError;
  const old = new Map(before.map((r) => [r.host, r]));
  const kept = new Set(after.map((r) => r.host));
  return {
    upsert: after.filter((r) => {
      const o = old.get(r.host);
      return !o || !same(o, r);
    }),
    remove: before.filter((r) => !kept.has(r.host)).map((r) => r.host),
  };
}
