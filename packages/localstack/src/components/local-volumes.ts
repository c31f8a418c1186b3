import { mkdir } from 'node:fs/promises';
import { StorageV1Api } from '@kubernetes/client-node';
import type { Component, ProcessSpec } from '../component.ts';
import { nodeProfile } from '../node-profile.ts';
import { runningRecord } from '../processes.ts';
import { LOCAL_STORAGE_CLASS } from '../stack-env.ts';
import { statePaths } from '../state.ts';
import { adminKubeConfig, kubeconfigPath, writeKubeconfig } from './kube-access.ts';
import { FAKE_NODE_NAME } from './kube-node.ts';
import { ensureKubePki, REAL_NODE_NAME } from './kube-pki.ts';
import { nodePaths } from './node-config.ts';

const NAME = 'local-volumes';

export { LOCAL_STORAGE_CLASS };
export const LOCAL_VOLUME_PROVISIONER = 'hostplane.dev/local-volume';

export function localStorageClass() {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_STORAGE_CLASS },
    provisioner: LOCAL_VOLUME_PROVISIONER,
    // One node takes the pods (the real node, or kwok's fake one under the kwok profile): nothing to
    // wait for, a claim binds as soon as it exists, to a volume pinned to that node.
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: false,
  };
}

/**
 * Dynamic volumes (both node profiles): `local` PersistentVolumes (Velero's file-system backup handles
 * them, unlike hostPath) under `<stateDir>/node/volumes`, created by a provisioner built on
 * sigs.k8s.io/sig-storage-lib-external-provisioner (`localcluster local-volumes`).
 */
export const localVolumes: Component = {
  name: NAME,
  dependsOn: ['kube-apiserver'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await writeKubeconfig(ctx.stateDir, NAME);
    await mkdir(nodePaths(ctx.stateDir).volumesDir, { recursive: true });
    const storage = adminKubeConfig(ctx.stateDir).makeApiClient(StorageV1Api);
    const existing = await storage.readStorageClass({ name: LOCAL_STORAGE_CLASS }).catch(() => undefined);
    const wanted = localStorageClass();
    // A class is immutable: one of an earlier shape is replaced (its volumes keep their own spec).
    if (existing && existing.volumeBindingMode !== wanted.volumeBindingMode) {
      await storage.deleteStorageClass({ name: LOCAL_STORAGE_CLASS });
    }
    if (!existing || existing.volumeBindingMode !== wanted.volumeBindingMode) {
      await storage.createStorageClass({ body: wanted });
    }
  },
  processes(ctx): ProcessSpec[] {
    return [
      {
        name: NAME,
        command: ctx.binaries.localcluster,
        args: [
          NAME,
          `--kubeconfig=${kubeconfigPath(ctx.stateDir, NAME)}`,
          `--dir=${nodePaths(ctx.stateDir).volumesDir}`,
          `--node=${nodeProfile() === 'real' ? REAL_NODE_NAME : FAKE_NODE_NAME}`,
          `--name=${LOCAL_VOLUME_PROVISIONER}`,
        ],
      },
    ];
  },
  async healthy(ctx) {
    // The provisioner has no endpoint of its own: it is up when our process runs and its class exists.
    if (!runningRecord(statePaths(ctx.stateDir), NAME)) return false;
    try {
      const storage = adminKubeConfig(ctx.stateDir).makeApiClient(StorageV1Api);
      return (
        (await storage.readStorageClass({ name: LOCAL_STORAGE_CLASS })).provisioner ===
        LOCAL_VOLUME_PROVISIONER
      );
    } catch {
      return false;
    }
  },
  address(ctx) {
    return `StorageClass ${LOCAL_STORAGE_CLASS} → ${nodePaths(ctx.stateDir).volumesDir}`;
  },
};
