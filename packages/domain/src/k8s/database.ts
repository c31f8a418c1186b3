import type { CustomerSnapshot, SiteRow } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { CLAIM_TEMPLATE_LABEL, COMPONENT_LABEL, componentSelector, siteLabels } from './labels.ts';
import {
  type ContainerResources,
  containerSecurityContext,
  podSecurityContext,
  scratchVolumes,
} from './security.ts';
import { tcpProbes } from './site-pod.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

/** The mariadb image's mysql user. */
export const MARIADB_UID = 999;

/** MariaDB database and user name of a site: the site name with "-" as "_" (identifiers stay unquoted). */
export function databaseName(site: string): string {
  return site.replaceAll('-', '_');
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function databaseSecret(snapshot: CustomerSnapshot, site: SiteRow, password: string): KubeObject {
  const name = databaseName(site.name);
  const data = {
    database: name,
    host: `${site.name}-db`,
    password,
    port: '3306',
    username: name,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${site.name}-db`,
      namespace: tenantNamespace(snapshot.id),
      labels: siteLabels(snapshot.id, site.name),
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, base64(value)])),
  };
}

function databaseService(snapshot: CustomerSnapshot, site: SiteRow): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${site.name}-db`,
      namespace: tenantNamespace(snapshot.id),
      labels: siteLabels(snapshot.id, site.name),
    },
    spec: {
      clusterIP: 'None',
      selector: componentSelector(site.name, 'database'),
      ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql', protocol: 'TCP' }],
    },
  };
}

function mariadbContainer(site: SiteRow, config: TenantPlatformConfig, resources: ContainerResources) {
  const secret = `${site.name}-db`;
  const fromSecret = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  const scratch = scratchVolumes({ run: '/run/mysqld', tmp: '/tmp' });
  return {
    container: {
      name: 'mariadb',
      image: config.images.mariadb,
      env: [
        fromSecret('MARIADB_DATABASE', 'database'),
        fromSecret('MARIADB_PASSWORD', 'password'),
        { name: 'MARIADB_RANDOM_ROOT_PASSWORD', value: '1' },
        fromSecret('MARIADB_USER', 'username'),
      ],
      ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }],
      resources,
      securityContext: containerSecurityContext(MARIADB_UID, true),
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }, ...scratch.mounts],
      ...tcpProbes('mysql'),
    },
    volumes: scratch.volumes,
  };
}

function databaseStatefulSet(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  resources: ContainerResources,
): KubeObject {
  const labels = siteLabels(snapshot.id, site.name);
  const { container, volumes } = mariadbContainer(site, config, resources);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `${site.name}-db`, namespace: tenantNamespace(snapshot.id), labels },
    spec: {
      replicas: snapshot.suspended ? 0 : 1,
      serviceName: `${site.name}-db`,
      selector: { matchLabels: componentSelector(site.name, 'database') },
      // The claim outlives the StatefulSet: turning a site's database off keeps the data unless the
      // customer asked for deleteData (the provisioner prunes the claim then, and when the site goes).
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...labels, [COMPONENT_LABEL]: 'database' } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(MARIADB_UID),
          containers: [container],
          volumes,
        },
      },
      volumeClaimTemplates: [databaseClaimTemplate(labels, config)],
    },
  };
}

/** The `data` volume of a MariaDB StatefulSet (a site's or the customer's server), marked as a claim template. */
export function databaseClaimTemplate(labels: Record<string, string>, config: TenantPlatformConfig) {
  return {
    metadata: { name: 'data', labels: { ...labels, [CLAIM_TEMPLATE_LABEL]: 'true' } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: config.storage.storageClass,
      resources: { requests: { storage: config.storage.databaseVolumeSize } },
    },
  };
}

/** MariaDB StatefulSet + headless Service + Secret; the password comes from the site row (stable). */
export function databaseObjects(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: (resources: ContainerResources) => ContainerResources,
): KubeObject[] {
  if (!site.database) return [];
  if (!site.databasePassword)
    throw new Error(`site ${site.name}: database wanted but no databasePassword stored`);
  const resources = clamp({
    requests: { cpu: '50m', memory: '192Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
  });
  return [
    databaseSecret(snapshot, site, site.databasePassword),
    databaseService(snapshot, site),
    databaseStatefulSet(snapshot, site, config, resources),
  ];
}

/**
 * Sites whose database is off but whose data is kept (turned off without deleteData: the password
 * is kept with it, so turning the database on again finds its data). Their claims are not pruned.
 */
export function retainedDatabaseSites(snapshot: CustomerSnapshot): string[] {
  return snapshot.sites.filter((s) => !s.database && s.databasePassword !== null).map((s) => s.name);
}

/** What happened to a site's database data, as the API shows it. */
export function databaseDataState(site: { database: boolean; databasePassword: string | null }) {
  if (site.database) return 'active' as const;
  return site.databasePassword === null ? ('none' as const) : ('retained' as const);
}
