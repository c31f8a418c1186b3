// Issue 9: the panel's Velero rights against the real kube-apiserver. The admission policy rendered
// by @hostplane/platform holds every Backup, Restore and Schedule the panel's service account writes
// to one tenant namespace and the tenant label selector; the API's own service account has no
// Kubernetes rights at all.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import { defaultPanelRbacOptions } from '@hostplane/platform';

const VELERO_POLICY_NAME = 'hostplane-panel-velero-scope';

import { desiredBackup, desiredRestore, desiredSchedule } from '@hostplane/domain';
import { isKubeError, KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobKind, JobRow } from './port.ts';
import { BACKUP_NAMESPACE, panelClient } from './test-support/fixtures.ts';

const env = loadStackEnv();
const settings = {
  namespace: BACKUP_NAMESPACE,
  storageLocation: 'default',
  volumePolicy: 'tenant-volume-policy',
  windowStartHour: 1,
  windowHours: 4,
};
const id = 800_000 + randomBytes(2).readUInt16BE(0);
let admin: KubeHttpClient;
let panel: KubeHttpClient;

beforeAll(async () => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  // Start from what this checkout renders, not from a policy an earlier run left in the cluster.
  await admin.delete(KINDS.ValidatingAdmissionPolicyBinding, null, VELERO_POLICY_NAME);
  await admin.delete(KINDS.ValidatingAdmissionPolicy, null, VELERO_POLICY_NAME);
  panel = await panelClient(admin, env.KUBECONFIG);
});

afterAll(async () => {
  if (!admin) return;
  for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore])
    for (const o of await admin.list(kind, BACKUP_NAMESPACE, `customer-id=${id}`))
      await admin.delete(kind, BACKUP_NAMESPACE, o.metadata.name);
});

const job = (name: string, kind: JobKind = 'backup', backupName: string | null = null): JobRow => ({
  name: `cust-${id}-${name}`,
  kind,
  phase: 'New',
  backupName,
  message: null,
  startedAt: null,
  completedAt: null,
});

function backup(name: string, spec: Record<string, unknown> = {}): KubeObject {
  const object = desiredBackup(id, job(name), 7, settings);
  return { ...object, spec: { ...(object.spec as object), ...spec } };
}

/** The apiserver's answer to the panel writing `object`: null when accepted, else the refusal. */
async function refusal(object: KubeObject): Promise<string | null> {
  try {
    await panel.apply(object);
    return null;
  } catch (error) {
    if (isKubeError(error, 'Invalid') || isKubeError(error, 'Forbidden')) return error.message;
    throw error;
  }
}

/** The policy takes effect a moment after it is created: wait (with a deadline) until it refuses. */
function firstRefusal(object: KubeObject): Promise<string> {
  return waitFor(
    'the Velero admission policy to refuse',
    async () => {
      const message = await refusal(object);
      if (!message) await admin.delete(KINDS.Backup, BACKUP_NAMESPACE, object.metadata.name);
      return message ?? undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

describe('the Velero admission policy (impersonating the panel service account)', () => {
  it('refuses a Backup of two tenant namespaces', async () => {
    const message = await firstRefusal(
      backup('two', { includedNamespaces: [`cust-${id}`, `cust-${id + 1}`] }),
    );
    expect(message).toContain("includedNamespaces must be exactly the tenant's own namespace");
  });

  it('refuses cluster-scoped resources, another tenant, a wider selector', async () => {
    expect(await refusal(backup('cluster', { includeClusterResources: true }))).toContain(
      'no cluster-scoped resources',
    );
    expect(await refusal(backup('scoped', { includedClusterScopedResources: ['clusterroles'] }))).toContain(
      'no cluster-scoped resources',
    );
    expect(await refusal(backup('other', { includedNamespaces: [`cust-${id + 1}`] }))).toContain(
      'includedNamespaces',
    );
    expect(await refusal(backup('system', { includedNamespaces: ['kube-system'] }))).toContain(
      'includedNamespaces',
    );
    expect(await refusal(backup('all', { labelSelector: { matchLabels: {} } }))).toContain(
      'label selector is exactly tenant=true',
    );
    const schedule = desiredSchedule(id, 7, settings);
    const template = (schedule.spec as { template: Record<string, unknown> }).template;
    expect(
      await refusal({
        ...schedule,
        spec: { ...(schedule.spec as object), template: { ...template, includeClusterResources: true } },
      }),
    ).toContain('no cluster-scoped resources');
  });

  it('refuses a Restore with a namespace mapping or of another tenant’s backup', async () => {
    const restore = desiredRestore(id, job('r1', 'restore', `cust-${id}-b1`), settings);
    expect(
      await refusal({
        ...restore,
        spec: { ...(restore.spec as object), namespaceMapping: { [`cust-${id}`]: 'kube-system' } },
      }),
    ).toContain('maps no namespaces');
    expect(
      await refusal({
        ...restore,
        spec: { ...(restore.spec as object), backupName: `cust-${id + 1}-daily-20260101` },
      }),
    ).toContain("tenant's own backups");
  });

  it('accepts what the backup provisioner writes', async () => {
    expect(await refusal(backup('ok'))).toBeNull();
    expect(await refusal(desiredSchedule(id, 7, settings))).toBeNull();
    expect(await refusal(desiredRestore(id, job('r2', 'restore', `cust-${id}-ok`), settings))).toBeNull();
  });
});

describe("the API's service account", () => {
  it('has no Kubernetes rights (access reviews against the real apiserver)', async () => {
    const { namespace, apiServiceAccount } = defaultPanelRbacOptions;
    const token = await admin.createServiceAccountToken(namespace, apiServiceAccount!, 600);
    const api = KubeHttpClient.fromToken(env.KUBECONFIG, token);
    try {
      const checks: [string, string, string, string][] = [
        ['create', 'velero.io', 'backups', BACKUP_NAMESPACE],
        ['list', '', 'secrets', `cust-${id}`],
        ['create', '', 'namespaces', ''],
        ['patch', 'apps', 'deployments', `cust-${id}`],
        ['get', '', 'configmaps', namespace],
        ['create', 'rbac.authorization.k8s.io', 'rolebindings', `cust-${id}`],
      ];
      for (const [verb, group, resource, ns] of checks)
        expect(await api.canI(verb, group, resource, ns), `${verb} ${group}/${resource} in ${ns}`).toBe(
          false,
        );
      // The worker's account, for contrast, may write Velero objects.
      expect(await panel.canI('create', 'velero.io', 'backups', BACKUP_NAMESPACE)).toBe(true);
    } finally {
      await api.close();
    }
  });
});
