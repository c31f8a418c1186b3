// The customer's own MariaDB (issue 16): one StatefulSet per customer namespace holding every
// database of the customer, a Service, the root password Secret (the worker's way in), one Secret per
// database with its owner's credentials (what attached sites get) and the opening that lets the
// panel's worker reach port 3306. Databases and users inside the server are the Databases target's.
import {
  DATABASE_SERVER_NAME,
  DATABASE_SERVER_PORT,
  databaseEnvPrefix,
  databaseHost,
  databaseSecretName,
} from '../databases/names.ts';
import type { CustomerSnapshot, SiteRow } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { databaseClaimTemplate } from './database.ts';
import { COMPONENT_LABEL, tenantLabels } from './labels.ts';
import {
  type ContainerResources,
  containerSecurityContext,
  podSecurityContext,
  scratchVolumes,
} from './security.ts';
import { tcpProbes } from './site-pod.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

const MARIADB_UID = 999;
const ROOT_SECRET = 'mariadb-root';
const COMPONENT = 'mariadb';

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function meta(snapshot: CustomerSnapshot, name: string) {
  return {
    name,
    namespace: tenantNamespace(snapshot.id),
    labels: { ...tenantLabels(snapshot.id), [COMPONENT_LABEL]: COMPONENT },
  };
}

function secret(snapshot: CustomerSnapshot, name: string, data: Record<string, string>): KubeObject {
  const sorted = Object.keys(data).sort();
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(snapshot, name),
    type: 'Opaque',
    data: Object.fromEntries(sorted.map((k) => [k, b64(data[k] ?? '')])),
  };
}

/** True when the customer has a database server: at least one database and a stored root password. */
export function wantsDatabaseServer(snapshot: CustomerSnapshot): boolean {
  return (snapshot.databases?.length ?? 0) > 0 && !!snapshot.databaseServer;
}

function statefulSet(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  resources: ContainerResources,
): KubeObject {
  const labels = meta(snapshot, DATABASE_SERVER_NAME).labels;
  const scratch = scratchVolumes({ run: '/run/mysqld', tmp: '/tmp' });
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(snapshot, DATABASE_SERVER_NAME),
    spec: {
      replicas: snapshot.suspended ? 0 : 1,
      serviceName: DATABASE_SERVER_NAME,
      selector: { matchLabels: { [COMPONENT_LABEL]: COMPONENT } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(MARIADB_UID),
          containers: [
            {
              name: 'mariadb',
              image: config.images.mariadb,
              env: [
                {
                  name: 'MARIADB_ROOT_PASSWORD',
                  valueFrom: { secretKeyRef: { name: ROOT_SECRET, key: 'password' } },
                },
              ],
              ports: [{ name: 'mysql', containerPort: DATABASE_SERVER_PORT, protocol: 'TCP' }],
              resources,
              securityContext: containerSecurityContext(MARIADB_UID, true),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }, ...scratch.mounts],
              ...tcpProbes('mysql'),
            },
          ],
          volumes: scratch.volumes,
        },
      },
      volumeClaimTemplates: [databaseClaimTemplate(labels, config)],
    },
  };
}

/** Everything of the customer's database server in its namespace (none without databases). */
export function customerDatabaseObjects(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  clamp: (resources: ContainerResources) => ContainerResources,
): KubeObject[] {
  if (!wantsDatabaseServer(snapshot) || !snapshot.databaseServer) return [];
  const host = databaseHost(snapshot.id, config.clusterDomain);
  const credentials = (snapshot.databases ?? []).flatMap((db) => {
    const owner = db.users.find((u) => u.owner);
    if (!owner) return [];
    return [
      secret(snapshot, databaseSecretName(db.name), {
        database: db.name,
        host,
        password: owner.password,
        port: String(DATABASE_SERVER_PORT),
        username: owner.name,
      }),
    ];
  });
  return [
    secret(snapshot, ROOT_SECRET, { password: snapshot.databaseServer.rootPassword, username: 'root' }),
    ...credentials,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(snapshot, DATABASE_SERVER_NAME),
      spec: {
        type: 'ClusterIP',
        selector: { [COMPONENT_LABEL]: COMPONENT },
        ports: [{ name: 'mysql', port: DATABASE_SERVER_PORT, targetPort: 'mysql', protocol: 'TCP' }],
      },
    },
    statefulSet(
      snapshot,
      config,
      clamp({ requests: { cpu: '50m', memory: '160Mi' }, limits: { cpu: '500m', memory: '512Mi' } }),
    ),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(snapshot, 'allow-panel-to-mariadb'),
      spec: {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: COMPONENT } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': config.namespaces.panel },
                },
              },
            ],
            ports: [{ port: DATABASE_SERVER_PORT, protocol: 'TCP' }],
          },
        ],
      },
    },
  ];
}

/** Environment of a site's containers: the credentials of every database attached to it. */
export function attachedDatabaseEnv(snapshot: CustomerSnapshot, site: SiteRow): Record<string, unknown>[] {
  if (!wantsDatabaseServer(snapshot)) return [];
  return (snapshot.databases ?? [])
    .filter((db) => db.sites.includes(site.name) && db.users.some((u) => u.owner))
    .flatMap((db) => {
      const prefix = databaseEnvPrefix(db.name);
      const ref = (key: string) => ({ secretKeyRef: { name: databaseSecretName(db.name), key } });
      return [
        { name: `${prefix}HOST`, valueFrom: ref('host') },
        { name: `${prefix}NAME`, valueFrom: ref('database') },
        { name: `${prefix}PASSWORD`, valueFrom: ref('password') },
        { name: `${prefix}PORT`, valueFrom: ref('port') },
        { name: `${prefix}USER`, valueFrom: ref('username') },
      ];
    });
}
