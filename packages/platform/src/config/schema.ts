import {
  type DnsPlatformConfig,
  dnsPlatformConfigSchema,
  type TenantPlatformConfig,
} from '@hostplane/domain';
import { z } from 'zod';

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'a Kubernetes quantity');
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label');
const port = z.number().int().min(1).max(65535);
/** Pinned: a tag with a version number, or a digest; never "latest". */
const pinnedImage = z
  .string()
  .regex(/^[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?(@sha256:[a-f0-9]{64})?$/, 'an image reference')
  .refine(
    (image) => /@sha256:|:[^/]*[0-9][^/]*$/.test(image) && !/:latest$/.test(image),
    'pin a version tag or digest',
  );
const cidr = z.union([z.cidrv4(), z.cidrv6()]);
const hostName = z
  .string()
  .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
        'a host name',
      ),
  );

/**
 * The platform's configuration (`hostplane bootstrap --config F`), parsed once at boot. Every
 * field has a default fit for a single-node k3s-like cluster, so `{}` is a valid configuration
 * for the local stack.
 */
export const platformConfigSchema = z.object({
  clusterDomain: z.string().default('cluster.local'),
  storage: z
    .object({
      storageClass: dnsLabel.default('longhorn'),
      siteVolumeSize: quantity.default('1Gi'),
      databaseVolumeSize: quantity.default('1Gi'),
      siteVolumeAccessMode: z.enum(['ReadWriteOnce', 'ReadWriteMany']).default('ReadWriteOnce'),
      pvcMin: quantity.default('100Mi'),
      /**
       * Days a released tenant volume (deleted site, deleted customer, database deleteData) is kept
       * before the worker reclaims it (the storage class keeps released volumes: reclaimPolicy Retain).
       */
      releasedVolumeRetentionDays: z.number().int().min(0).max(365).default(7),
    })
    .prefault({}),
  images: z
    .object({
      nginx: pinnedImage.default('docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine'),
      phpFpm: pinnedImage.default('docker.io/library/php:8.3.21-fpm-alpine'),
      /** WordPress of sites without a phpVersion; its PHP is the default version's (8.4). */
      wordpress: pinnedImage.default('docker.io/library/wordpress:6.8.1-php8.4-fpm-alpine'),
      mariadb: pinnedImage.default('docker.io/library/mariadb:11.4.7'),
      /** The per-customer SFTP pod: Debian's OpenSSH sftp-server, run through the gateway (docs/sftp.md). */
      sftp: pinnedImage.default('ghcr.io/hostplane/sftp-server:9.2p1-bookworm'),
      /** Runs the Jobs that remove deleted mailboxes' maildirs on Dovecot's volume (has `rm`). */
      maildirRemover: pinnedImage.default('docker.io/dovecot/dovecot:2.3.21.1'),
    })
    .prefault({}),
  /**
   * PHP versions the php and wordpress templates offer (issue 16): version → pinned php-fpm image.
   * Built locally from the Debian suite that carries each version (docs/local-images.md).
   */
  php: z
    .object({
      versions: z
        .array(
          z.object({
            version: z.string().regex(/^[0-9]+\.[0-9]+$/, 'a PHP version like 8.4'),
            image: pinnedImage,
            /** WordPress on this PHP version; without it, wordpress sites cannot choose the version. */
            wordpressImage: pinnedImage.optional(),
          }),
        )
        .min(1)
        .default([
          // Debian bookworm's WordPress (6.1) is far behind the pinned release: 8.2 offers none.
          { version: '8.2', image: 'docker.io/library/php:8.2.28-fpm-alpine' },
          {
            version: '8.4',
            image: 'docker.io/library/php:8.4.8-fpm-alpine',
            wordpressImage: 'docker.io/library/wordpress:6.8.1-php8.4-fpm-alpine',
          },
        ]),
      defaultVersion: z.string().default('8.4'),
    })
    .refine((php) => php.versions.some((v) => v.version === php.defaultVersion), {
      message: 'defaultVersion must be one of versions',
      path: ['defaultVersion'],
    })
    .prefault({}),
  /**
   * Where customers connect for SFTP (the gateway's public name and port, docs/sftp.md): shown in
   * the panel next to the login name c{customerId}.
   */
  sftp: z
    .object({
      host: hostName.default('sftp.hostplane.test'),
      port: port.default(22),
    })
    .prefault({}),
  /**
   * The platform-wide webmail (issue 17): its address, linked from the panel's mail page. Bootstrap
   * fills it in from `bootstrap.hosts.webmail`; the local stack from its Roundcube. Unset: no link.
   */
  webmailUrl: z.url({ protocol: /^https?$/ }).optional(),
  publicAddresses: z
    .object({ ipv4: z.array(z.ipv4()).default([]), ipv6: z.array(z.ipv6()).default([]) })
    .prefault({}),
  network: z
    .object({
      clusterCidrs: z.array(cidr).default(['10.42.0.0/16', '10.43.0.0/16']),
      nodeCidrs: z.array(cidr).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
      // Link-local covers the cloud metadata endpoints (169.254.169.254, fd00:ec2::254 is in fc00::/7).
      blockedEgressCidrs: z.array(cidr).default(['169.254.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10']),
    })
    .prefault({}),
  namespaces: z
    .object({
      ingress: dnsLabel.default('ingress-system'),
      monitoring: dnsLabel.default('monitoring-system'),
      mail: dnsLabel.default('mail-system'),
      panel: dnsLabel.default('panel-system'),
    })
    .prefault({}),
  clusterDns: z
    .object({
      namespace: dnsLabel.default('kube-system'),
      podLabels: z.record(z.string(), z.string()).default({ 'k8s-app': 'kube-dns' }),
    })
    .prefault({}),
  /** The pod port of Postfix's internal submission listener (Service `submission.mail-system` :587 →
   * this port): NetworkPolicies match the port after the Service's translation. */
  mailSubmissionPort: port.default(10587),
  metricsPorts: z.array(port).default([9104, 9113, 9253]),
  ingress: z
    .object({
      className: z.string().default('traefik'),
      webEntrypoint: z.string().default('web'),
      websecureEntrypoint: z.string().default('websecure'),
      certResolver: z.string().min(1).default('letsencrypt'),
      /**
       * The platform spaces a host's ACME attempts (Traefik retries a failed one on every configuration
       * change, with no backoff): one attempt window on the resolver, then off it (HTTP only) for
       * initialDelay · 2^(n−1), capped at maxDelay. Needs the worker to reach the edge (EDGE_TLS_ADDR).
       */
      acmeBackoff: z
        .object({
          attemptWindowSeconds: z.number().int().min(5).max(3600).default(120),
          initialDelaySeconds: z.number().int().min(5).max(86_400).default(60),
          maxDelaySeconds: z.number().int().min(5).max(86_400).default(3600),
        })
        .prefault({}),
    })
    .prefault({}),
  suspendedPage: z
    .object({
      namespace: dnsLabel.default('panel-system'),
      service: dnsLabel.default('suspended-page'),
      port: port.default(8080),
    })
    .prefault({}),
  panelIdentity: z
    .object({
      /** The worker's service account (the reconciler's Kubernetes rights). */
      serviceAccount: dnsLabel.default('hostplane-panel'),
      /**
       * The API's service account: read-only in tenant namespaces (a site's logs, cron runs, the
       * database Service for dumps), bound there by the worker to `tenantReaderClusterRole`.
       */
      apiServiceAccount: dnsLabel.default('hostplane-panel-api'),
      namespace: dnsLabel.default('panel-system'),
      tenantClusterRole: z.string().default('hostplane-tenant'),
      tenantReaderClusterRole: z.string().default('hostplane-tenant-reader'),
    })
    .prefault({}),
  tenantLimits: z
    .object({
      maxReplicasPerSite: z.number().int().min(1).max(50).default(3),
      containerMaxCpu: quantity.default('2'),
      containerMaxMemory: quantity.default('4Gi'),
      imageUid: z.number().int().min(1000).default(10001),
    })
    .prefault({}),
  kubernetes: z
    .object({
      /** A namespace Terminating longer than this turns the Kubernetes condition False. */
      namespaceStuckAfterSeconds: z.number().int().min(10).default(600),
      /** DNS server the reconciler asks whether a host resolves to the platform (host:port). */
      resolverAddress: z.string().optional(),
    })
    .prefault({}),
  /**
   * The platform's own names. Customers can never add them, nor any name under or above them (nor
   * the name servers and mail host of `dns`): they are the panel, the mail service, the name
   * servers. The defaults are the local stack's.
   */
  platformDomains: z
    .object({
      /** The platform's own zone (its name servers, mail and panel hosts live there). */
      zone: hostName.default('hostplane.test'),
      panelHost: hostName.default('panel.hostplane.test'),
      /** More names to keep from customers (a status page, a second brand). */
      reserved: z.array(hostName).default([]),
    })
    .prefault({}),
  /** Domain ownership checks (README "Domain verification"). */
  verification: z
    .object({
      /** Seconds between checks of an unverified domain: first retry, doubling up to the cap. */
      retryInitialSeconds: z.number().int().min(5).default(60),
      retryMaxSeconds: z
        .number()
        .int()
        .min(60)
        .default(6 * 3600),
      /** A verified domain is checked again this often; it is revoked after `revokeAfterFailures` misses in a row. */
      recheckVerifiedSeconds: z
        .number()
        .int()
        .min(60)
        .default(24 * 3600),
      revokeAfterFailures: z.number().int().min(1).default(3),
      /** A claim never verified within this many days no longer blocks another customer (it is released). */
      releaseUnverifiedAfterDays: z.number().int().min(1).default(7),
    })
    .prefault({}),
  /**
   * DNS hosting policy (name servers, SOA, mail records, CAA). The zones' apex/www addresses are not
   * repeated here: they are `publicAddresses`, the same ones the Kubernetes target's TLS gate checks.
   * The defaults are the local stack's; a real installation names its own servers.
   */
  dns: dnsPlatformConfigSchema.omit({ publicIPv4: true, publicIPv6: true }).prefault({
    nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
    soa: { contact: 'hostmaster@hostplane.test' },
    mail: { host: 'mail.hostplane.test' },
  }),
});

export type PlatformConfig = z.infer<typeof platformConfigSchema>;

/** Parses the configuration or throws with every bad field named. */
export function parsePlatformConfig(input: unknown): PlatformConfig {
  const result = platformConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`invalid platform config:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

/** Every name no customer may hold (nor any name under or above one of them). */
export function reservedNamesOf(config: PlatformConfig): string[] {
  const names = [
    config.platformDomains.zone,
    config.platformDomains.panelHost,
    ...config.platformDomains.reserved,
    ...config.dns.nameservers,
    ...(config.dns.mail ? [config.dns.mail.host] : []),
  ];
  return [...new Set(names)].sort();
}

/** The DNS target's settings, derived from the one platform config (public addresses included). */
export function dnsConfigOf(config: PlatformConfig): DnsPlatformConfig {
  return { ...config.dns, publicIPv4: config.publicAddresses.ipv4, publicIPv6: config.publicAddresses.ipv6 };
}

// Compile-time proof that the parsed config is what the pure tenant desired state takes.
const _assignable: (config: PlatformConfig) => TenantPlatformConfig = (config) => config;
void _assignable;
