import { webmailHost } from '../dns/defaults.ts';
import { isNameVerified } from '../ownership/verification.ts';
import type { CustomerSnapshot } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { type EdgeRoute, edgeIngresses, suspendedOr } from './ingress.ts';
import { tenantLabels } from './labels.ts';
import type { HostResolution, KubeObject, TenantPlatformConfig } from './types.ts';

// Issue 17: `webmail.{domain}` as a host of the platform's shared webmail (Roundcube in mail-system).
// The tenant cannot route into mail-system itself, so the platform manages, in the tenant's namespace,
// an ExternalName Service `webmail` (an alias of the webmail Service, as the suspended page is) and
// Ingresses whose rules list the customer's webmail hosts. The objects carry the tenant's labels: the
// Kubernetes target owns and prunes them with the rest of the namespace. Suspended: the suspended page.

/** The ExternalName Service's name; reserved as a site name (validate-site). */
export const WEBMAIL_SERVICE = 'webmail';
/** Ingress names with a dot: no site's Ingress (a DNS-1035 label plus a suffix) can be named so. */
const WEBMAIL_INGRESS = 'hostplane.webmail';

/** The webmail Service of the platform: `webmail` on port 80 in the mail namespace unless configured. */
function platformWebmail(config: TenantPlatformConfig) {
  return config.webmail ?? { service: 'webmail', port: 80 };
}

/** The customer's webmail hosts: `webmail.{domain}` of each verified domain with webmail on; sorted. */
export function webmailHosts(snapshot: CustomerSnapshot): string[] {
  return snapshot.domains
    .filter((d) => d.webmail === true)
    .map((d) => webmailHost(d.name))
    .filter((host) => isNameVerified(host, snapshot.domains))
    .sort();
}

function webmailService(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject {
  const { service, port } = platformWebmail(config);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: WEBMAIL_SERVICE,
      namespace: tenantNamespace(snapshot.id),
      labels: tenantLabels(snapshot.id),
    },
    spec: {
      type: 'ExternalName',
      externalName: `${service}.${config.namespaces.mail}.svc.${config.clusterDomain}`,
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    },
  };
}

/** The webmail objects of the tenant namespace (none without webmail hosts). Hosts resolving to the
 * platform get TLS (websecure + certresolver) and an HTTP redirect, the others plain HTTP, as sites do. */
export function webmailObjects(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  resolution: HostResolution,
): KubeObject[] {
  const hosts = webmailHosts(snapshot);
  if (hosts.length === 0) return [];
  const objects: KubeObject[] = snapshot.suspended ? [] : [webmailService(snapshot, config)];
  const route: EdgeRoute = {
    name: WEBMAIL_INGRESS,
    hosts,
    backend: suspendedOr(snapshot, config, {
      service: { name: WEBMAIL_SERVICE, port: { number: platformWebmail(config).port } },
    }),
    labels: tenantLabels(snapshot.id),
  };
  objects.push(...edgeIngresses(snapshot, config, route, resolution));
  return objects;
}
