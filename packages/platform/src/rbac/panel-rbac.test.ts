import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import {
  defaultPanelRbacOptions,
  panelClusterRole,
  panelRbacManifests,
  tenantClusterRole,
  tenantReaderClusterRole,
} from './panel-rbac.ts';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

function rules(object: KubeObject): Rule[] {
  return object.rules as Rule[];
}

describe('panel RBAC', () => {
  it('grants nothing cluster-wide on Secrets, and on workloads only the list/watch of the site watch', () => {
    const cluster = rules(panelClusterRole(defaultPanelRbacOptions));
    const resources = cluster.flatMap((r) => r.resources).sort();
    expect(resources).toEqual([
      'clusterroles',
      'deployments',
      'namespaces',
      'persistentvolumes',
      'pods',
      'rolebindings',
      'selfsubjectaccessreviews',
    ]);
    const workloads = cluster.filter(
      (r) => r.resources.includes('deployments') || r.resources.includes('pods'),
    );
    expect(workloads).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    ]);
    expect(cluster.find((r) => r.resources.includes('clusterroles'))).toEqual({
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      verbs: ['bind'],
      resourceNames: ['hostplane-tenant', 'hostplane-tenant-reader'],
    });
  });

  it('lets the API read exactly what its live routes show: pods, their logs, jobs, the Service address', () => {
    expect(rules(tenantReaderClusterRole(defaultPanelRbacOptions))).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    ]);
    // Bound per tenant namespace by the worker, never cluster-wide.
    const bindings = panelRbacManifests().filter((o) => o.kind === 'ClusterRoleBinding');
    expect(bindings.map((b) => b.roleRef)).not.toContainEqual(
      expect.objectContaining({ name: 'hostplane-tenant-reader' }),
    );
  });

  it('lets the tenant role write only what the provisioner applies and read status', () => {
    const tenant = rules(tenantClusterRole(defaultPanelRbacOptions));
    const writable = tenant
      .filter((r) => r.verbs.includes('patch'))
      .flatMap((r) => r.resources)
      .sort();
    expect(writable).toEqual([
      'configmaps',
      'cronjobs',
      'deployments',
      'ingresses',
      'limitranges',
      'middlewares',
      'networkpolicies',
      'persistentvolumeclaims',
      'resourcequotas',
      'secrets',
      'services',
      'statefulsets',
    ]);
    const readOnly = tenant.filter((r) => !r.verbs.includes('patch'));
    const logs = readOnly.filter((r) => r.resources.includes('pods/log'));
    expect(logs).toEqual([{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]);
    for (const rule of readOnly.filter((r) => !logs.includes(r)))
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
    expect(readOnly.flatMap((r) => r.resources).sort()).toEqual([
      'events',
      'events',
      'jobs',
      'pods',
      'pods/log',
      'replicasets',
    ]);
  });

  it('never uses wildcards', () => {
    for (const object of panelRbacManifests()) {
      for (const rule of (object.rules as Rule[] | undefined) ?? []) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      }
    }
  });

  it('scopes namespace and RoleBinding writes of the panel to cust-*', () => {
    const policy = panelRbacManifests().find((o) => o.kind === 'ValidatingAdmissionPolicy');
    const spec = policy?.spec as {
      matchConditions: { expression: string }[];
      validations: { expression: string }[];
    };
    expect(spec.matchConditions[0]?.expression).toBe(
      "request.userInfo.username == 'system:serviceaccount:panel-system:hostplane-panel'",
    );
    expect(spec.validations[0]?.expression).toContain("startsWith('cust-')");
  });
});
