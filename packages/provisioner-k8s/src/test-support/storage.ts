// The local stack has no volume provisioner: tests bring a StorageClass without one and
// pre-created PersistentVolumes, which the real PV controller binds to our claims.

import type { KubeHttpClient } from '../client/kube-client.ts';
import { KINDS } from '../kinds.ts';

export const TEST_STORAGE_CLASS = 'hostplane-int';
const PV_LABEL = 'hostplane.io/test-volume';

export async function ensureTestVolumes(admin: KubeHttpClient, run: string, count: number): Promise<void> {
  await admin.apply({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: TEST_STORAGE_CLASS, labels: {} },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: false,
  });
  for (let i = 0; i < count; i++) {
    await admin.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `hostplane-int-${run}-${i}`, labels: { [PV_LABEL]: run } },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: TEST_STORAGE_CLASS,
        hostPath: { path: `/tmp/hostplane-int/${run}/${i}` },
      },
    });
  }
}

export async function removeTestVolumes(admin: KubeHttpClient, run: string): Promise<void> {
  const volumes = await admin.list(KINDS.PersistentVolume, null, `${PV_LABEL}=${run}`);
  for (const volume of volumes) await admin.delete(KINDS.PersistentVolume, null, volume.metadata.name);
}
