// A site's per-host TLS status (issue 13): for each host, the certificate the edge serves now (a live
// handshake through the EdgeCertificates port), judged by the domain rule against whether the host
// resolves to the platform (what the Kubernetes target last observed, in the site's status).
import { siteCertificatesParams, siteCertificatesSchema } from '@hostplane/contracts';
import { certificateAttemptsStore } from '@hostplane/db';
import { certificateProbeHost, certificateState, siteHosts } from '@hostplane/domain';
import { ServiceUnavailableError } from '../errors.ts';
import { answers } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import { findOwned, scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['sites'];

/** Hosts the target found not resolving to the platform (status.hosts[].tls false). */
function awaitingDns(status: unknown): Set<string> {
  const hosts = (status as { hosts?: unknown } | null)?.hosts;
  if (!Array.isArray(hosts)) return new Set();
  return new Set(
    hosts
      .filter((h): h is { host: string; tls: boolean } => typeof h?.host === 'string' && h.tls === false)
      .map((h) => h.host),
  );
}

export function siteCertificateRoutes(app: ApiInstance, { db, edgeCertificates }: RouteDeps): void {
  app.get(
    '/customers/:id/sites/:name/certificates',
    {
      config: scoped,
      schema: {
        tags,
        params: siteCertificatesParams,
        description:
          "Per host of the site: the certificate the edge serves for it right now (a TLS handshake with the host as SNI), its state (Issued, Pending, Failed, AwaitingDNS, Expired, Unknown), issuer and expiry, and the ACME attempts the platform made for it: Failed while the host backs off (off the resolver, HTTP only) until nextAttemptAt. AwaitingDNS comes from the last reconcile's DNS check of the host; 503 when this panel does not know the edge's address.",
        response: answers({ 200: siteCertificatesSchema }, 404, 422, 503),
      },
    },
    async (req) => {
      const site = await findOwned(db, 'sites', req.params.id, {
        column: 'name',
        value: req.params.name,
        what: 'site',
      });
      if (!edgeCertificates)
        throw new ServiceUnavailableError(
          "the edge's address is not configured on this panel (EDGE_TLS_ADDR)",
        );
      const waiting = awaitingDns(site.status);
      const now = new Date();
      const hosts = siteHosts(site);
      const attempts = new Map(
        (await certificateAttemptsStore(db).load(site.customer_id, hosts)).map((a) => [a.host, a]),
      );
      const items = await Promise.all(
        hosts.map(async (host) =>
          certificateState(
            host,
            !waiting.has(host),
            waiting.has(host)
              ? { ok: false, error: 'not asked' }
              : await edgeCertificates.served(certificateProbeHost(host)),
            now,
            attempts.get(host) ?? null,
          ),
        ),
      );
      return { items, checkedAt: now.toISOString() };
    },
  );
}
