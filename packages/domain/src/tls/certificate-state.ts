// Per-host TLS status (issue 13): what the edge actually serves for a host, judged against what the
// platform wants for it. Pure: the probe (a TLS handshake with SNI = host at the edge's websecure
// address) observes, this rule names the state a customer sees.

export const CERTIFICATE_STATES = ['Issued', 'Pending', 'AwaitingDNS', 'Expired', 'Unknown'] as const;
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

export interface HostCertificate {
  host: string;
  state: CertificateState;
  /** Set when the served certificate is the host's own (Issued, Expired). */
  issuer: string | null;
  notAfter: string | null;
  message: string;
}

/**
 * The state of a host's certificate:
 * - AwaitingDNS: the host does not resolve to the platform, so no certificate is asked for (HTTP only);
 * - Issued: the edge serves a certificate chaining to the ACME roots, naming the host, not expired;
 * - Expired: the same, past its notAfter (renewal failed);
 * - Pending: the host is wanted but the edge still serves another certificate (its default) — the ACME
 *   order is running or its validation failed and is backing off;
 * - Unknown: the edge did not answer the handshake.
 */
export function certificateState(
  host: string,
  resolvesToPlatform: boolean,
  served: ServedCertificate,
  now: Date,
): HostCertificate {
  const base = { host, issuer: null, notAfter: null };
  if (!resolvesToPlatform)
    return {
      ...base,
      state: 'AwaitingDNS',
      message: `${host} does not resolve to the platform yet: served over HTTP only, a certificate is requested once it does`,
    };
  if (!served.ok)
    return { ...base, state: 'Unknown', message: `the edge did not answer for ${host}: ${served.error}` };
  if (!served.trusted || !served.namesHost)
    return {
      ...base,
      state: 'Pending',
      message: `the edge does not serve a certificate of the ACME CA for ${host} yet (validation running or backing off)`,
    };
  const own = { ...base, issuer: served.issuer, notAfter: served.notAfter };
  if (Date.parse(served.notAfter) <= now.getTime())
    return { ...own, state: 'Expired', message: `the certificate of ${host} expired at ${served.notAfter}` };
  return { ...own, state: 'Issued', message: `issued by ${served.issuer}, valid until ${served.notAfter}` };
}
