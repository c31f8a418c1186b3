// `hostplane bootstrap --uninstall` against the local stack's apiserver: what --apply created goes
// (its namespace, the cluster-scoped objects it owns, its objects in other namespaces), what it only
// applied over an existing object stays; a second run deletes nothing.
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapStep } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from './apply.ts';
import { parentRef } from './applyset.ts';
import { uninstallBootstrap } from './uninstall.ts';

const env = loadStackEnv();
const run = Date.now().toString(36);
const ns = `hostplane-uninstall-int-${run}`;
const other = `hostplane-uninstall-int-other-${run}`;
const foreignRole = `hostplane-uninstall-int-foreign-${run}`;
let admin: KubeHttpClient;

const clusterRole = (name: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels: {} },
  rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
});

const step: BootstrapStep = {
  name: 'panel',
  order: 9,
  namespace: ns,
  file: `09-${ns}.yaml`,
  objects: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: {} } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns, labels: {} },
      data: { a: '1' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'elsewhere', namespace: other, labels: {} },
      data: {},
    },
    clusterRole(`hostplane-uninstall-int-${run}`),
    // Exists before the install (an operator's): applied over, never adopted, so it stays.
    clusterRole(foreignRole),
  ],
};

beforeAll(async () => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: other, labels: {} } });
  await admin.apply(clusterRole(foreignRole));
});

afterAll(async () => {
  if (!admin) return;
  for (const name of [foreignRole, `hostplane-uninstall-int-${run}`])
    await admin.delete(KINDS.ClusterRole, null, name);
  for (const name of [ns, other]) await admin.delete(KINDS.Namespace, null, name);
  await admin.close();
});

describe('hostplane bootstrap --uninstall', () => {
  it('removes what --apply created, keeps what it did not, and a second run deletes nothing', async () => {
    await applyBootstrap(admin, [step], { timeoutMs: 60_000 });
    expect(await admin.get(KINDS.ConfigMap, ns, parentRef(step).name)).not.toBeNull();

    const removed = await uninstallBootstrap(admin, [step], { timeoutMs: 120_000 });
    expect(removed[0]!.deleted.sort()).toEqual(
      [
        `ClusterRole/hostplane-uninstall-int-${run}`,
        `ConfigMap/${ns}/settings`,
        `ConfigMap/${other}/elsewhere`,
        `Namespace/${ns}`,
      ].sort(),
    );
    expect(await admin.get(KINDS.Namespace, null, ns)).toBeNull(); // waited for: gone, not Terminating
    expect(await admin.get(KINDS.ClusterRole, null, `hostplane-uninstall-int-${run}`)).toBeNull();
    expect(await admin.get(KINDS.ConfigMap, other, 'elsewhere')).toBeNull();
    // Not created by the install: they stay.
    expect(await admin.get(KINDS.ClusterRole, null, foreignRole)).not.toBeNull();
    expect(await admin.get(KINDS.Namespace, null, other)).not.toBeNull();

    const writes = admin.stats.writes;
    const again = await uninstallBootstrap(admin, [step], { timeoutMs: 30_000 });
    expect(again[0]!.deleted).toEqual([]);
    expect(admin.stats.writes).toBe(writes);
  }, 300_000);
});
