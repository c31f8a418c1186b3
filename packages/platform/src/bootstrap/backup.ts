import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { panelBackupRbacManifests } from '../rbac/backup-rbac.ts';
import {
  env,
  envFromSecret,
  MANAGED,
  meta,
  namespace,
  platformCronJob,
  restrictedContainer,
  restrictedPod,
  secret,
} from './common.ts';
import { mailDatabaseUrl, panelDatabaseUrl, pdnsDatabaseUrl } from './databases.ts';

// backup-system without an upstream chart (no chart repository is reachable where the platform is
// tested, DESIGN.md §9): the objects `velero install --use-node-agent --uploader-type kopia` makes,
// rendered here at the version of packages/platform/src/velero/version.ts. The same objects run on the
// local node. The CRDs are not here: they ship generated from the built binary (generated/crds/).

export const BACKUP_NAMESPACE = 'backup-system';
export const VELERO_SERVICE_ACCOUNT = 'velero';
const CREDENTIALS_SECRET = 'velero-s3';
const app = 'velero';

function podEnv() {
  return [
    { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    env('VELERO_SCRATCH_DIR', '/scratch'),
    env('AWS_SHARED_CREDENTIALS_FILE', '/credentials/cloud'),
  ];
}

const credentialsVolume = { name: 'cloud-credentials', secret: { secretName: CREDENTIALS_SECRET } };
const credentialsMount = { name: 'cloud-credentials', mountPath: '/credentials' };

/** Velero's server: Backups/Restores/Schedules, Kopia as the uploader, every pod volume by file system. */
function veleroDeployment(config: BootstrapConfig): KubeObject {
  const images = config.bootstrap.systemImages;
  const b = config.bootstrap.backup;
  const labels = { ...MANAGED, 'app.kubernetes.io/name': app, component: 'velero' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('velero', BACKUP_NAMESPACE, app),
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': app, component: 'velero' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: VELERO_SERVICE_ACCOUNT,
          restartPolicy: 'Always',
          // The AWS object-store plugin copies itself into /plugins, where the server finds it.
          initContainers: [
            {
              name: 'velero-plugin-for-aws',
              image: images.veleroAwsPlugin,
              imagePullPolicy: 'IfNotPresent',
              volumeMounts: [{ name: 'plugins', mountPath: '/target' }],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
          containers: [
            {
              name: 'velero',
              image: images.velero,
              imagePullPolicy: 'IfNotPresent',
              command: ['/velero'],
              args: [
                'server',
                '--uploader-type=kopia',
                '--default-volumes-to-fs-backup',
                `--default-backup-storage-location=${b.storageLocation}`,
                '--features=',
              ],
              ports: [{ name: 'metrics', containerPort: 8085 }],
              // HOME on the scratch volume: Kopia keeps its cache and config there (read-only root).
              env: [...podEnv(), env('LD_LIBRARY_PATH', '/plugins'), env('HOME', '/scratch')],
              resources: b.resources.server,
              volumeMounts: [
                { name: 'plugins', mountPath: '/plugins' },
                { name: 'scratch', mountPath: '/scratch' },
                // go-plugin writes its handshake files to the temp dir: writable, the root stays read-only.
                { name: 'tmp', mountPath: '/tmp' },
                credentialsMount,
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
          volumes: [
            { name: 'plugins', emptyDir: {} },
            { name: 'scratch', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            credentialsVolume,
          ],
        },
      },
    },
  };
}

/** The node agent on every node: reads pod volumes under the kubelet's pods folder and runs Kopia. */
function nodeAgentDaemonSet(config: BootstrapConfig): KubeObject {
  const images = config.bootstrap.systemImages;
  const b = config.bootstrap.backup;
  // `role: node-agent` is how Velero's server finds a running node agent on a pod's node (nodeagent
  // package, isRunningInNode): without it every pod volume is skipped with an error.
  const labels = { ...MANAGED, 'app.kubernetes.io/name': app, name: 'node-agent', role: 'node-agent' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('node-agent', BACKUP_NAMESPACE, app, { name: 'node-agent' }),
    spec: {
      selector: { matchLabels: { name: 'node-agent' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: VELERO_SERVICE_ACCOUNT,
          // Root: the pods' volumes belong to every tenant's uid.
          securityContext: { runAsUser: 0 },
          containers: [
            {
              name: 'node-agent',
              image: images.velero,
              imagePullPolicy: 'IfNotPresent',
              command: ['/velero'],
              args: ['node-agent', 'server'],
              env: [
                ...podEnv(),
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
              resources: b.resources.nodeAgent,
              volumeMounts: [
                { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
                {
                  name: 'host-plugins',
                  mountPath: '/var/lib/kubelet/plugins',
                  mountPropagation: 'HostToContainer',
                },
                { name: 'scratch', mountPath: '/scratch' },
                credentialsMount,
              ],
            },
          ],
          volumes: [
            { name: 'host-pods', hostPath: { path: `${b.kubeletRootDir}/pods` } },
            { name: 'host-plugins', hostPath: { path: `${b.kubeletRootDir}/plugins` } },
            { name: 'scratch', emptyDir: {} },
            credentialsVolume,
          ],
        },
      },
    },
  };
}

/** Velero reads and writes every namespace's objects on backup and restore: cluster-admin, as upstream. */
function veleroRbac(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(VELERO_SERVICE_ACCOUNT, BACKUP_NAMESPACE, app),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'velero-backup-system', labels: { ...MANAGED, 'app.kubernetes.io/name': app } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: VELERO_SERVICE_ACCOUNT, namespace: BACKUP_NAMESPACE }],
    },
  ];
}

/** The BackupStorageLocation: any S3 (AWS, or s3Url for versitygw, Ceph RGW, Wasabi…). */
export function storageLocation(config: BootstrapConfig): KubeObject {
  const b = config.bootstrap.backup;
  return {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: b.storageLocation, namespace: BACKUP_NAMESPACE, labels: { ...MANAGED } },
    spec: {
      provider: 'aws',
      default: true,
      objectStorage: { bucket: b.bucket, prefix: b.prefix },
      credential: { name: CREDENTIALS_SECRET, key: 'cloud' },
      config: {
        region: b.region,
        ...(b.s3Url ? { s3Url: b.s3Url, s3ForcePathStyle: 'true' } : {}),
      },
    },
  };
}

export const TENANT_VOLUME_POLICY = 'tenant-volume-policy';

/**
 * Velero's volume policy for tenant backups (Backup.spec.resourcePolicy, provisioner-backup's settings
 * `volumePolicy`): a pod's scratch emptyDirs (nginx cache, /tmp) are not data and are skipped; every
 * claim is backed up by the node agent (Kopia).
 */
export function tenantVolumePolicy(namespace = BACKUP_NAMESPACE): KubeObject {
  const policy = [
    'version: v1',
    'volumePolicies:',
    '- conditions:',
    '    volumeTypes: [emptyDir]',
    '  action:',
    '    type: skip',
    '',
  ];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: TENANT_VOLUME_POLICY,
      namespace,
      labels: { ...MANAGED, 'app.kubernetes.io/name': app },
    },
    data: { 'policy.yaml': policy.join('\n') },
  };
}

const PLATFORM_BACKUP_UID = 10001;

/**
 * What `hostplane backup-platform` reads: the three databases where the panel finds them (in the
 * cluster, or `bootstrap.external`) and the bucket (DESIGN.md §9 names). PowerDNS' DB is left out when
 * PowerDNS runs outside without `external.pdnsDatabaseUrl` (the run then says `pdns: no`).
 */
export function platformBackupEnvironment(config: BootstrapConfig): Record<string, string> {
  const pdns = pdnsDatabaseUrl(config);
  return {
    DATABASE_URL: panelDatabaseUrl(config),
    MAIL_DATABASE_URL: mailDatabaseUrl(config),
    ...(pdns ? { PDNS_DATABASE_URL: pdns } : {}),
    ...platformS3Environment(config),
  };
}

/** The bucket of the platform backups, as `backup-platform` reads it (S3_* variables). */
export function platformS3Environment(config: BootstrapConfig): Record<string, string> {
  const b = config.bootstrap.backup;
  return {
    ...(b.s3Url ? { S3_ENDPOINT: b.s3Url } : {}),
    S3_REGION: b.region,
    S3_ACCESS_KEY: b.accessKeyId,
    S3_SECRET_KEY: b.secretAccessKey,
    S3_BUCKET: b.bucket,
  };
}

/**
 * Platform backups: the panel's image runs `hostplane backup-platform` on the configured schedule
 * (pg_dump/mariadb-dump of the panel DB, mail DB and PowerDNS DB to the bucket, retention after).
 * No Kubernetes rights: it talks to the databases and S3 only.
 */
function platformBackupCronJob(config: BootstrapConfig): KubeObject[] {
  const p = config.bootstrap.backup.platform;
  const values = platformBackupEnvironment(config);
  const name = 'platform-backup';
  return [
    secret(`${name}-env`, BACKUP_NAMESPACE, name, values),
    platformCronJob(name, BACKUP_NAMESPACE, p.schedule, {
      securityContext: restrictedPod(PLATFORM_BACKUP_UID),
      containers: [
        {
          name: 'backup',
          image: config.bootstrap.systemImages.panel,
          args: ['backup-platform', '--prefix', p.prefix, '--retention-days', String(p.retentionDays)],
          env: [
            env('TMPDIR', '/tmp'),
            ...Object.keys(values).map((key) => envFromSecret(key, `${name}-env`, key)),
          ],
          securityContext: restrictedContainer,
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    }),
  ];
}

/** 5. Velero (server + Kopia node agent, AWS plugin), an S3 location, and the panel's rights on its objects. */
export function backupSystem(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap.backup;
  const cloud = `[default]\naws_access_key_id=${b.accessKeyId}\naws_secret_access_key=${b.secretAccessKey}\n`;
  return [
    namespace(
      BACKUP_NAMESPACE,
      'privileged',
      "Velero's node agent reads every pod's volumes through hostPath /var/lib/kubelet/pods as root",
    ),
    secret(CREDENTIALS_SECRET, BACKUP_NAMESPACE, app, { cloud }),
    ...veleroRbac(),
    veleroDeployment(config),
    nodeAgentDaemonSet(config),
    storageLocation(config),
    tenantVolumePolicy(),
    ...platformBackupCronJob(config),
    ...panelBackupRbacManifests(BACKUP_NAMESPACE, {
      namespace: config.panelIdentity.namespace,
      serviceAccount: config.panelIdentity.serviceAccount,
      tenantClusterRole: config.panelIdentity.tenantClusterRole,
      tenantNamespacePrefix: 'cust-',
    }),
  ];
}
