// Shared by this folder's unit tests (not exported from the package).
import type { CustomerSnapshot, SiteRow } from '../snapshot.ts';
import type { TenantPlatformConfig } from './types.ts';

export const testConfig: TenantPlatformConfig = {
  clusterDomain: 'cluster.local',
  storage: {
    storageClass: 'longhorn',
    siteVolumeSize: '1Gi',
    databaseVolumeSize: '2Gi',
    siteVolumeAccessMode: 'ReadWriteOnce',
    pvcMin: '100Mi',
  },
  images: {
    nginx: 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine',
    phpFpm: 'docker.io/library/php:8.3.21-fpm-alpine',
    wordpress: 'docker.io/library/wordpress:6.8.1-php8.3-fpm-alpine',
    mariadb: 'docker.io/library/mariadb:11.4.7',
  },
  php: {
    versions: [
      { version: '8.2', image: 'docker.io/library/php:8.2.28-fpm-alpine' },
      { version: '8.4', image: 'docker.io/library/php:8.4.8-fpm-alpine' },
    ],
    defaultVersion: '8.4',
  },
  publicAddresses: { ipv4: ['203.0.113.10'], ipv6: ['2001:db8::10'] },
  network: {
    clusterCidrs: ['10.42.0.0/16', '10.43.0.0/16'],
    nodeCidrs: ['192.168.0.0/16'],
    blockedEgressCidrs: ['169.254.0.0/16', 'fc00::/7'],
  },
  namespaces: {
    ingress: 'ingress-system',
    monitoring: 'monitoring-system',
    mail: 'mail-system',
    panel: 'panel-system',
  },
  clusterDns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
  mailSubmissionPort: 587,
  metricsPorts: [9113, 9104],
  ingress: {
    className: 'traefik',
    webEntrypoint: 'web',
    websecureEntrypoint: 'websecure',
    certResolver: 'letsencrypt',
  },
  suspendedPage: { namespace: 'panel-system', service: 'suspended-page', port: 8080 },
  panelIdentity: {
    serviceAccount: 'hostplane-panel',
    namespace: 'panel-system',
    tenantClusterRole: 'hostplane-tenant',
  },
  tenantLimits: { maxReplicasPerSite: 3, containerMaxCpu: '2', containerMaxMemory: '4Gi', imageUid: 10001 },
};

export function site(overrides: Partial<SiteRow> & { name: string }): SiteRow {
  return {
    template: 'static',
    image: null,
    port: null,
    domains: [`${overrides.name}.example.com`],
    www: false,
    replicas: 1,
    database: false,
    databasePassword: null,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return {
    id: 1001,
    name: 'Acme',
    email: 'ops@acme.example',
    generation: 1,
    suspended: false,
    deleting: false,
    plan: {
      id: 1,
      name: 'basic',
      limits: {
        cpu: '2',
        memory: '4Gi',
        storage: '20Gi',
        sites: 5,
        domains: 5,
        mailboxes: 10,
        mailboxQuota: '10Gi',
        databases: 2,
        backupRetentionDays: 7,
      },
    },
    sites: [
      site({
        name: 'blog',
        template: 'wordpress',
        www: true,
        database: true,
        databasePassword: 's3cret-pw',
        replicas: 2,
      }),
      site({ name: 'home', template: 'static' }),
      site({ name: 'shop', template: 'php' }),
      site({ name: 'api', template: 'image', image: 'ghcr.io/acme/api:1.2.3', port: 3000 }),
    ],
    // The sites' hosts lie under example.com, verified: their routes may go live.
    domains: [
      { name: 'example.com', dns: true, mail: false, dnssec: false, verified: true, records: [], dkim: null },
    ],
    mailboxes: [],
    aliases: [],
    ...overrides,
  };
}
