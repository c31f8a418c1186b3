import { tenantNamespace } from '@hostplane/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKubeError } from './errors.ts';
import { KINDS } from './kinds.ts';
import { converge, customer, customerId, type Harness, startHarness } from './test-support/harness.ts';

let h: Harness;
const id = customerId();

beforeAll(async () => {
  h = await startHarness();
  await converge(h, customer(id));
});

afterAll(async () => {
  if (!h) return; // beforeAll failed: its error is the report
  await converge(h, { ...customer(id), deleting: true }, 60);
  await h.close();
});

async function refusal(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    // RBAC answers 403 (Forbidden); the admission policy's denial comes back as 422 (Invalid).
    if (isKubeError(error, 'Forbidden') || isKubeError(error, 'Invalid')) return error.message;
    throw error;
  }
  throw new Error('the action was allowed');
}

describe('the panel service account (platform RBAC)', () => {
  it('reads Secrets in its tenant namespaces', async () => {
    await expect(h.panel.list(KINDS.Secret, tenantNamespace(id))).resolves.toBeInstanceOf(Array);
  });

  it('cannot read Secrets in kube-system', async () => {
    expect(await h.panel.canI('list', '', 'secrets', 'kube-system')).toBe(false);
    expect(await refusal(() => h.panel.list(KINDS.Secret, 'kube-system'))).toMatch(/secrets is forbidden/);
    expect(await refusal(() => h.panel.get(KINDS.Secret, 'kube-system', 'anything'))).toMatch(/forbidden/);
  });

  it('cannot hand itself the tenant role outside cust-* namespaces', async () => {
    const message = await refusal(() =>
      h.panel.apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'hostplane-panel', namespace: 'kube-system', labels: {} },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hostplane-tenant' },
        subjects: [{ kind: 'ServiceAccount', name: 'hostplane-panel', namespace: 'panel-system' }],
      }),
    );
    expect(message).toContain('only manage namespaces named cust-*');
  });

  it('cannot create or delete namespaces that are not tenants', async () => {
    const create = await refusal(() =>
      h.panel.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `not-a-tenant-${h.run}`, labels: {} },
      }),
    );
    expect(create).toContain('only manage namespaces named cust-*');
    const other = `hostplane-int-other-${h.run}`;
    await h.admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: other, labels: {} } });
    try {
      expect(await refusal(() => h.panel.delete(KINDS.Namespace, null, other))).toContain('cust-*');
      expect(await h.admin.get(KINDS.Namespace, null, other)).not.toBeNull();
    } finally {
      await h.admin.delete(KINDS.Namespace, null, other);
    }
  });

  it('cannot make itself cluster-admin', async () => {
    const message = await refusal(() =>
      h.panel.apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `hostplane-panel-escalation-${h.run}`, labels: {} },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'hostplane-panel', namespace: 'panel-system' }],
      }),
    );
    expect(message).toMatch(/forbidden/);
    expect(
      await h.admin.get(KINDS.ClusterRoleBinding, null, `hostplane-panel-escalation-${h.run}`),
    ).toBeNull();
  });
});
