// The API's own identity (hostplane-panel-api) in the local stack: the worker (as its service
// account, never admin) binds the read-only tenant role to it in each cust-* namespace; access
// reviews as the API's token show it reads exactly a site's pods, their logs, jobs and the
// database Service there, and nothing else (no Secrets, no writes, no other namespace).
import { tenantNamespace } from '@hostplane/domain';
import { defaultPanelRbacOptions } from '@hostplane/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHttpClient } from './client/kube-client.ts';
import { isKubeError } from './errors.ts';
import { KINDS } from './kinds.ts';
import { converge, customer, customerId, type Harness, startHarness } from './test-support/harness.ts';

let h: Harness;
let api: KubeHttpClient;
const id = customerId();
const other = customerId();

beforeAll(async () => {
  h = await startHarness();
  await converge(h, customer(id));
  await converge(h, customer(other));
  const { namespace, apiServiceAccount } = defaultPanelRbacOptions;
  const token = await h.admin.createServiceAccountToken(namespace, apiServiceAccount!, 3600);
  api = KubeHttpClient.fromToken(h.env.KUBECONFIG, token);
}, 240_000);

afterAll(async () => {
  if (!h) return;
  await api?.close();
  await converge(h, { ...customer(id), deleting: true }, 60);
  await converge(h, { ...customer(other), deleting: true }, 60);
  await h.close();
}, 240_000);

describe('the API service account (hostplane-panel-api)', () => {
  it('the worker bound the tenant reader role to it in the customer namespace', async () => {
    const binding = await h.admin.get(KINDS.RoleBinding, tenantNamespace(id), 'hostplane-panel-api');
    expect(binding?.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'hostplane-tenant-reader' });
  });

  it('may read pods, their logs, jobs and Services in a tenant namespace', async () => {
    for (const ns of [tenantNamespace(id), tenantNamespace(other)]) {
      for (const verb of ['get', 'list', 'watch'])
        expect(await api.canI(verb, '', 'pods', ns), `${verb} pods ${ns}`).toBe(true);
      expect(await api.canI('get', '', 'pods', ns, 'log')).toBe(true);
      expect(await api.canI('list', 'batch', 'jobs', ns)).toBe(true);
      expect(await api.canI('get', 'batch', 'jobs', ns)).toBe(true);
      expect(await api.canI('get', '', 'services', ns)).toBe(true);
    }
    // Real reads through the apiserver, not only reviews.
    await expect(api.list(KINDS.Pod, tenantNamespace(id))).resolves.toBeInstanceOf(Array);
    await expect(api.list(KINDS.Job, tenantNamespace(id))).resolves.toBeInstanceOf(Array);
  });

  it('may read no Secrets and write nothing there', async () => {
    const ns = tenantNamespace(id);
    for (const verb of ['get', 'list', 'watch'])
      expect(await api.canI(verb, '', 'secrets', ns), `${verb} secrets`).toBe(false);
    for (const verb of ['create', 'update', 'patch', 'delete']) {
      expect(await api.canI(verb, '', 'pods', ns), `${verb} pods`).toBe(false);
      expect(await api.canI(verb, 'batch', 'jobs', ns), `${verb} jobs`).toBe(false);
      expect(await api.canI(verb, '', 'services', ns), `${verb} services`).toBe(false);
    }
    expect(await api.canI('create', '', 'pods', ns, 'exec')).toBe(false);
    expect(await api.canI('create', '', 'pods', ns, 'portforward')).toBe(false);
    expect(await api.canI('list', '', 'services', ns)).toBe(false);
    for (const [group, resource] of [
      ['', 'configmaps'],
      ['', 'persistentvolumeclaims'],
      ['apps', 'deployments'],
      ['batch', 'cronjobs'],
      ['networking.k8s.io', 'ingresses'],
      ['rbac.authorization.k8s.io', 'rolebindings'],
    ] as const)
      expect(await api.canI('get', group, resource, ns), `get ${resource}`).toBe(false);
    try {
      await api.list(KINDS.Secret, ns);
      throw new Error('listing Secrets was allowed');
    } catch (error) {
      expect(isKubeError(error, 'Forbidden')).toBe(true);
    }
  });

  it('reads nothing outside tenant namespaces', async () => {
    for (const ns of ['kube-system', 'panel-system', 'mail-system', 'default']) {
      expect(await api.canI('list', '', 'pods', ns), `list pods ${ns}`).toBe(false);
      expect(await api.canI('get', '', 'pods', ns, 'log'), `pods/log ${ns}`).toBe(false);
      expect(await api.canI('get', '', 'secrets', ns), `secrets ${ns}`).toBe(false);
    }
    // Cluster-wide: no namespaces, no lists across all namespaces.
    expect(await api.canI('list', '', 'namespaces', '')).toBe(false);
    expect(await api.canI('list', '', 'pods', '')).toBe(false);
  });
});
