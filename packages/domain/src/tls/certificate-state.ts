// Per-host TLS status (issue 13): what the edge actually serves for a host, judged against what the
// platform wants for it. Pure: the probe (a TLS handshake with SNI = host at the edge's websecure
// address) observes, this rule names the state a customer sees.

import type { CertificateAttempt } from './acme-attempts.ts';

export const CERTIFICATE_STATES = [
  'Issued',
  'Pending',
  'Failed',
  'AwaitingDNS',
  'Expired',
  'Unknown',
] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** One handshake with the edge for a host: the leaf it served, or why there was none. */
export type ServedCertificate =
  | {
      ok: true;
      /** The chain verified against the configured ACME roots (not Traefik's self-signed default). */
      trusted: boolean;
      /** The leaf's names cover the host (exact or wildcard, X509Certificate.checkHost). */
      namesHost: boolean;
      /** The leaf's issuer, as its CN (else its full subject line). */
      issuer: string;
      /** RFC 3339. */
      notAfter: string;
    }
  | { ok: false; error: string };

/** The label of the name the edge is asked for when the host is a wildcard. */
export const WILDCARD_PROBE_LABEL = 'hostplane-probe';

/**
 * The SNI name a handshake asks the edge for, to see the certificate a client of `host` gets: the host
 * itself, or for a wildcard `*.x` a name under it (`hostplane-probe.x`): SNI carries no `*`, and the
 * edge picks the wildcard certificate for any one-label name below `x`.
 */
export function certificateProbeHost(host: string): string {
  return host.startsWith('*.') ? `${WILDCARD_PROBE_LABEL}.${host.slice(2)}` : host;
}

export interface HostCertificate {
  host: string;
  state: CertificateState;
  /** Set when the served certificate is the host's own (Issued, Expired). */
  issuer: string | null;
  notAfter: string | null;
  /** ACME attempts made for the host's current certificate (0 once served, or when none was needed). */
  attempts: number;
  /** Failed: when the platform puts the host back on the resolver for its next attempt (RFC 3339). */
  nextAttemptAt: string | null;
  message: string;
}

/**
 * The state of a host's certificate:
 * - AwaitingDNS: the host does not resolve to the platform, so no certificate is asked for (HTTP only);
 * - Issued: the edge serves a certificate chaining to the ACME roots, naming the host, not expired;
 * - Expired: the same, past its notAfter (renewal failed);
 * - Pending: the host is wanted but the edge still serves another certificate (its default): an ACME
 *   attempt is running (`attempts` counts them, the running one included);
 * - Failed: the last attempt failed and the host is off the resolver until `nextAttemptAt`
 *   (acme-attempts.ts: the platform spaces the attempts);
 * - Unknown: the edge did not answer the handshake.
 */
export function certificateState(
  host: string,
  resolvesToPlatform: boolean,
  served: ServedCertificate,
  now: Date,
  attempt: CertificateAttempt | null = null,
): HostCertificate {
  const base = {
    host,
    issuer: null,
    notAfter: null,
    attempts: attempt?.attempts ?? 0,
    nextAttemptAt: attempt?.nextAttemptAt?.toISOString() ?? null,
  };
  if (!resolvesToPlatform)
    return {
      ...base,
      attempts: 0,
      nextAttemptAt: null,
      state: 'AwaitingDNS',
      message: `${host} does not resolve to the platform yet: served over HTTP only, a certificate is requested once it does`,
    };
  if (!served.ok)
    return { ...base, state: 'Unknown', message: `the edge did not answer for ${host}: ${served.error}` };
  if ((!served.trusted || !served.namesHost) && attempt?.nextAttemptAt)
    return {
      ...base,
      state: 'Failed',
      message: `${attempt.attempts} ACME attempt${attempt.attempts === 1 ? '' : 's'} for ${host} failed (${attempt.lastError ?? 'no certificate'}); the next one starts at ${attempt.nextAttemptAt.toISOString()}, served over HTTP only until then`,
    };
  if (!served.trusted || !served.namesHost)
    return {
      ...base,
      state: 'Pending',
      message: `the edge does not serve a certificate of the ACME CA for ${host} yet (attempt ${Math.max(1, base.attempts)} running)`,
    };
  const own = { ...base, issuer: served.issuer, notAfter: served.notAfter, attempts: 0, nextAttemptAt: null };
  if (Date.parse(served.notAfter) <= now.getTime())
    return { ...own, state: 'Expired', message: `the certificate of ${host} expired at ${served.notAfter}` };
  return { ...own, state: 'Issued', message: `issued by ${served.issuer}, valid until ${served.notAfter}` };
}
