import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { panelBackupRbacManifests } from '../rbac/backup-rbac.ts';
import { helmChart, MANAGED, namespace, secret } from './common.ts';

export const BACKUP_NAMESPACE = 'backup-system';

function veleroValues(config: BootstrapConfig) {
  const images = config.bootstrap.systemImages;
  const [repository, tag] = images.velero.split(':');
  return {
    image: { repository, tag },
    initContainers: [
      {
        name: 'velero-plugin-for-aws',
        image: images.veleroAwsPlugin,
        volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
      },
    ],
    // File-system backup of pod volumes with Kopia, by the node agent on every node.
    deployNodeAgent: true,
    configuration: {
      uploaderType: 'kopia',
      defaultVolumesToFsBackup: true,
      // The BackupStorageLocation is a manifest of its own (below), not chart values.
      backupStorageLocation: [],
      volumeSnapshotLocation: [],
    },
    credentials: { useSecret: true, existingSecret: 'velero-s3' },
    snapshotsEnabled: false,
  };
}

function storageLocation(config: BootstrapConfig): KubeObject {
  const b = config.bootstrap.backup;
  return {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: b.storageLocation, namespace: BACKUP_NAMESPACE, labels: { ...MANAGED } },
    spec: {
      provider: 'aws',
      default: true,
      objectStorage: { bucket: b.bucket, prefix: b.prefix },
      credential: { name: 'velero-s3', key: 'cloud' },
      config: {
        region: b.region,
        ...(b.s3Url ? { s3Url: b.s3Url, s3ForcePathStyle: 'true' } : {}),
      },
    },
  };
}

/** 5. Velero with the Kopia node agent, an S3 location, and the panel's rights on its objects. */
export function backupSystem(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap.backup;
  const cloud = `[default]\naws_access_key_id=${b.accessKeyId}\naws_secret_access_key=${b.secretAccessKey}\n`;
  return [
    namespace(
      BACKUP_NAMESPACE,
      'privileged',
      "Velero's node agent reads every pod's volumes through hostPath /var/lib/kubelet/pods as root",
    ),
    secret('velero-s3', BACKUP_NAMESPACE, 'velero', { cloud }),
    helmChart('velero', BACKUP_NAMESPACE, config.bootstrap.charts.velero, stringify(veleroValues(config))),
    storageLocation(config),
    ...panelBackupRbacManifests(BACKUP_NAMESPACE, {
      namespace: config.panelIdentity.namespace,
      serviceAccount: config.panelIdentity.serviceAccount,
      tenantClusterRole: config.panelIdentity.tenantClusterRole,
      tenantNamespacePrefix: 'cust-',
    }),
  ];
}
