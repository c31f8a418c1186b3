// Issue 9: a released tenant volume is kept for the retention period, then reclaimed by the worker
// (as the panel's service account, through its RBAC and admission policy) on the real apiserver.
import { randomBytes } from 'node:crypto';
import { loadStackEnv, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHttpClient } from './client/kube-client.ts';
import { isKubeError } from './errors.ts';
import { KINDS } from './kinds.ts';
import { panelKubeClient } from './test-support/panel-identity.ts';
import { reclaimReleasedVolumes } from './volume-sweep.ts';

const env = loadStackEnv();
/** A class without a provisioner: this file makes its volumes by hand, Retain, to release them itself. */
const TEST_STORAGE_CLASS = 'hostplane-int';
const run = randomBytes(3).toString('hex');
const ns = `cust-${900_000 + randomBytes(2).readUInt16BE(0)}`;
const released = `hostplane-sweep-${run}-released`;
const bound = `hostplane-sweep-${run}-bound`;
const log = { info: () => undefined, error: () => undefined };
let admin: KubeHttpClient;
let panel: KubeHttpClient;

async function volume(name: string) {
  await admin.apply({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: {} },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: TEST_STORAGE_CLASS,
      hostPath: { path: `/tmp/hostplane-sweep/${name}` },
    },
  });
  await admin.apply({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns, labels: {} },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: TEST_STORAGE_CLASS,
      volumeName: name,
      resources: { requests: { storage: '1Gi' } },
    },
  });
}

async function phaseOf(name: string): Promise<string | undefined> {
  const pv = await admin.get(KINDS.PersistentVolume, null, name);
  return (pv?.status as { phase?: string } | undefined)?.phase;
}

async function waitForPhase(name: string, phase: string): Promise<void> {
  await waitFor(
    `${name} to become ${phase}`,
    async () => {
      const now = await phaseOf(name);
      if (now !== phase) throw new Error(`is ${now}`);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

beforeAll(async () => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  panel = await panelKubeClient(admin, env.KUBECONFIG);
  await admin.apply({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: TEST_STORAGE_CLASS, labels: {} },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: false,
  });
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: {} } });
  await volume(released);
  await volume(bound);
  await waitForPhase(released, 'Bound');
  await waitForPhase(bound, 'Bound');
  await admin.delete(KINDS.PersistentVolumeClaim, ns, released);
  await waitForPhase(released, 'Released');
});

afterAll(async () => {
  if (!admin) return;
  await admin.delete(KINDS.Namespace, null, ns);
  for (const name of [released, bound]) await admin.delete(KINDS.PersistentVolume, null, name);
});

describe('the released-volume sweep', () => {
  it('keeps a released tenant volume during the retention period', async () => {
    expect(await reclaimReleasedVolumes(panel, { retentionDays: 7, log })).not.toContain(released);
    const pv = await admin.get(KINDS.PersistentVolume, null, released);
    expect(
      (pv?.spec as { persistentVolumeReclaimPolicy?: string } | undefined)?.persistentVolumeReclaimPolicy,
    ).toBe('Retain');
  });

  it('reclaims it once the period is over, and leaves bound volumes alone', async () => {
    const later = () => new Date(Date.now() + 8 * 86_400_000);
    const names = await reclaimReleasedVolumes(panel, { retentionDays: 7, now: later, log });
    expect(names).toContain(released);
    expect(names).not.toContain(bound);
    const pv = await admin.get(KINDS.PersistentVolume, null, released);
    // Handed to the storage system for deletion (gone, or on its way with policy Delete).
    expect(
      pv === null ||
        (pv.spec as { persistentVolumeReclaimPolicy: string }).persistentVolumeReclaimPolicy === 'Delete',
    ).toBe(true);
  });

  it('the panel cannot switch a bound volume to Delete (admission policy)', async () => {
    try {
      await panel.patchMerge(
        KINDS.PersistentVolume,
        null,
        bound,
        { spec: { persistentVolumeReclaimPolicy: 'Delete' } },
        'hostplane',
      );
      throw new Error('the panel changed a bound volume');
    } catch (error) {
      if (!isKubeError(error, 'Invalid') && !isKubeError(error, 'Forbidden')) throw error;
      expect((error as Error).message).toContain('released volumes');
    }
  });
});
