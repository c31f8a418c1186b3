import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { helmChart, namespace } from './common.ts';

export const STORAGE_NAMESPACE = 'storage-system';

/** 1. Longhorn: the default StorageClass (dynamic PVCs, snapshots, recurring backups). */
export function storageSystem(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap;
  const values = {
    persistence: {
      defaultClass: config.storage.storageClass === 'longhorn',
      defaultClassReplicaCount: b.longhornReplicas,
      reclaimPolicy: 'Retain',
    },
    defaultSettings: {
      defaultReplicaCount: b.longhornReplicas,
      // One node at first: replicas may share it; spread them once more nodes join.
      replicaSoftAntiAffinity: true,
    },
  };
  return [
    namespace(
      STORAGE_NAMESPACE,
      'privileged',
      'Longhorn manager and instance managers are privileged, use hostPath and mount propagation to attach volumes',
    ),
    helmChart('longhorn', STORAGE_NAMESPACE, b.charts.longhorn, stringify(values)),
  ];
}
