import { isNameVerified } from '../ownership/verification.ts';
import type { CustomerSnapshot, SiteRow } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { siteLabels, tenantLabels } from './labels.ts';
import type { HostResolution, KubeObject, TenantPlatformConfig } from './types.ts';

export const REDIRECT_MIDDLEWARE = 'https-redirect';

/** The edge's DNS-01 resolver beside the HTTP-01 one (`letsencrypt` → `letsencrypt-dns`). */
export function dns01Resolver(certResolver: string): string {
  return `${certResolver}-dns`;
}

/** `*.example.com`: its certificate can only be had by DNS-01. */
export function isWildcardHost(host: string): boolean {
  return host.startsWith('*.');
}
export const SUSPENDED_SERVICE = 'suspended-page';
const TRAEFIK = 'traefik.ingress.kubernetes.io';

/** The hosts a site answers on: its domains, plus www.{domain} when wanted; sorted, unique. */
export function siteHosts(site: Pick<SiteRow, 'domains' | 'www'>): string[] {
  const hosts = new Set<string>();
  for (const domain of site.domains) {
    hosts.add(domain);
    if (site.www && !domain.startsWith('www.')) hosts.add(`www.${domain}`);
  }
  return [...hosts].sort();
}

/**
 * The hosts the edge routes for a site: those under one of the customer's verified domains. A host
 * whose domain is unverified (or gone) gets no Ingress rule and so no certificate either; adding,
 * verifying or deleting a domain changes this on the customer's next pass.
 */
export function routedSiteHosts(snapshot: CustomerSnapshot, site: SiteRow): string[] {
  return siteHosts(site).filter((host) => isNameVerified(host, snapshot.domains));
}

/** Hosts that get TLS: only those resolving to the platform (ACME HTTP-01 must be able to succeed). */
export function splitHostsByResolution(hosts: string[], resolution: HostResolution) {
  return {
    tls: hosts.filter((host) => resolution[host] === true),
    awaitingDns: hosts.filter((host) => resolution[host] !== true),
  };
}

/** The Service an edge route sends its hosts to. */
export interface IngressBackend {
  service: { name: string; port: { number: number } | { name: string } };
}

/** While suspended, every route of the customer goes to the platform's page (see suspendedPageService). */
export function suspendedOr(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  backend: IngressBackend,
): IngressBackend {
  return snapshot.suspended
    ? { service: { name: SUSPENDED_SERVICE, port: { number: config.suspendedPage.port } } }
    : backend;
}

/** What one edge route is: a name, the hosts, where they go, and the labels its objects carry. */
export interface EdgeRoute {
  name: string;
  hosts: string[];
  backend: IngressBackend;
  labels: Record<string, string>;
}

function ingress(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  route: EdgeRoute,
  name: string,
  hosts: string[],
  annotations: Record<string, string>,
  tls: boolean,
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: tenantNamespace(snapshot.id), labels: route.labels, annotations },
    spec: {
      ingressClassName: config.ingress.className,
      rules: hosts.map((host) => ({
        host,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: route.backend }] },
      })),
      ...(tls ? { tls: [{ hosts }] } : {}),
    },
  };
}

/**
 * Traefik takes its router settings per Ingress, so a route has up to four: `{name}` (websecure, TLS
 * from the HTTP-01 certresolver), `{name}-wildcard` (websecure, `*.` hosts, TLS from the DNS-01
 * resolver) and `{name}-redirect` (web → https) for hosts that resolve to the platform, and
 * `{name}-http` (plain HTTP) for hosts still awaiting DNS. Sites and webmail both route so.
 */
export function edgeIngresses(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  route: EdgeRoute,
  resolution: HostResolution,
): KubeObject[] {
  const { tls, awaitingDns } = splitHostsByResolution(route.hosts, resolution);
  const { webEntrypoint, websecureEntrypoint, certResolver } = config.ingress;
  const make = (suffix: string, hosts: string[], annotations: Record<string, string>, secure: boolean) =>
    ingress(snapshot, config, route, `${route.name}${suffix}`, hosts, annotations, secure);
  const secure = (suffix: string, hosts: string[], resolver: string, domains: string[] = []) =>
    make(
      suffix,
      hosts,
      {
        [`${TRAEFIK}/router.entrypoints`]: websecureEntrypoint,
        [`${TRAEFIK}/router.tls`]: 'true',
        [`${TRAEFIK}/router.tls.certresolver`]: resolver,
        // Traefik turns `*.x` into a HostRegexp, from which it cannot name the certificate: say it.
        ...Object.fromEntries(domains.map((d, i) => [`${TRAEFIK}/router.tls.domains.${i}.main`, d])),
      },
      true,
    );
  const objects: KubeObject[] = [];
  const plain = tls.filter((host) => !isWildcardHost(host));
  const wildcard = tls.filter(isWildcardHost);
  // Ordinary hosts by HTTP-01 (their DNS may be elsewhere); wildcards by DNS-01 in the platform's PowerDNS.
  if (plain.length > 0) objects.push(secure('', plain, certResolver));
  if (wildcard.length > 0) objects.push(secure('-wildcard', wildcard, dns01Resolver(certResolver), wildcard));
  if (tls.length > 0) {
    objects.push(
      make(
        '-redirect',
        tls,
        {
          [`${TRAEFIK}/router.entrypoints`]: webEntrypoint,
          [`${TRAEFIK}/router.middlewares`]: `${tenantNamespace(snapshot.id)}-${REDIRECT_MIDDLEWARE}@kubernetescrd`,
        },
        false,
      ),
    );
  }
  if (awaitingDns.length > 0)
    objects.push(make('-http', awaitingDns, { [`${TRAEFIK}/router.entrypoints`]: webEntrypoint }, false));
  return objects;
}

/** A site's edge routes (edgeIngresses), to its Service's `http` port. */
export function siteIngresses(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  resolution: HostResolution,
): KubeObject[] {
  const route: EdgeRoute = {
    name: site.name,
    hosts: routedSiteHosts(snapshot, site),
    backend: suspendedOr(snapshot, config, { service: { name: site.name, port: { name: 'http' } } }),
    labels: siteLabels(snapshot.id, site.name),
  };
  return edgeIngresses(snapshot, config, route, resolution);
}

/** A Traefik Middleware in the tenant namespace (no cross-namespace reference needed). */
export function redirectMiddleware(snapshot: CustomerSnapshot): KubeObject {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: {
      name: REDIRECT_MIDDLEWARE,
      namespace: tenantNamespace(snapshot.id),
      labels: tenantLabels(snapshot.id),
    },
    spec: { redirectScheme: { scheme: 'https', permanent: true } },
  };
}

/**
 * While suspended, Ingresses point at this ExternalName Service, an alias of the platform's
 * suspended page; Traefik must run with `allowExternalNameServices: true` (platform config).
 */
export function suspendedPageService(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject {
  const { namespace, service, port } = config.suspendedPage;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: SUSPENDED_SERVICE,
      namespace: tenantNamespace(snapshot.id),
      labels: tenantLabels(snapshot.id),
    },
    spec: {
      type: 'ExternalName',
      externalName: `${service}.${namespace}.svc.${config.clusterDomain}`,
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    },
  };
}
