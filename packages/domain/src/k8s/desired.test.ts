import { describe, expect, it } from 'vitest';
import { desiredTenantObjects, tenantHosts } from './desired.ts';
import { site, snapshot, testConfig } from './fixtures.ts';
import { parseQuantity } from './quantity.ts';
import type { KubeObject } from './types.ts';

type Json = Record<string, unknown>;

const TENANT = { tenant: 'true', 'customer-id': '1001', 'app.kubernetes.io/managed-by': 'hostplane' };

function spec(object: KubeObject): Json {
  return object.spec as Json;
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

/** Every pod template in the output, with the object that holds it. */
function podTemplates(objects: KubeObject[]): { owner: string; template: Json }[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, template: spec(o).template as Json }));
}

const objects = desiredTenantObjects(snapshot(), testConfig, { 'blog.example.com': true });

describe('desiredTenantObjects: labels', () => {
  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    '%s carries the tenant labels',
    (_, o) => {
      expect(o.metadata.labels).toMatchObject(TENANT);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('cust-1001');
    },
  );

  it.each(podTemplates(objects))('pod template of $owner carries tenant and site labels', ({ template }) => {
    const labels = (template.metadata as Json).labels as Json;
    expect(labels).toMatchObject(TENANT);
    expect(labels['hostplane.io/site']).toMatch(/^(blog|home|shop|api)$/);
  });

  it('volume claim templates carry the tenant and site labels', () => {
    const templates = objects
      .filter((o) => o.kind === 'StatefulSet')
      .flatMap((o) => spec(o).volumeClaimTemplates as Json[]);
    expect(templates).toHaveLength(1);
    for (const t of templates)
      expect((t.metadata as Json).labels).toMatchObject({ ...TENANT, 'hostplane.io/site': 'blog' });
  });

  it.each([
    ['Deployment', 'blog'],
    ['Service', 'blog'],
    ['PersistentVolumeClaim', 'blog-data'],
    ['ConfigMap', 'blog-nginx'],
    ['Ingress', 'blog'],
    ['Ingress', 'blog-redirect'],
    ['StatefulSet', 'blog-db'],
    ['Secret', 'blog-db'],
    ['Service', 'blog-db'],
  ])('site object %s/%s carries hostplane.io/site=blog', (kind, name) => {
    expect(find(objects, kind, name).metadata.labels['hostplane.io/site']).toBe('blog');
  });

  it('the namespace enforces, audits and warns Pod Security restricted', () => {
    expect(find(objects, 'Namespace', 'cust-1001').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });
});

describe('desiredTenantObjects: Pod Security restricted on every container', () => {
  const containers = podTemplates(objects).flatMap(({ owner, template }) => {
    const podSpec = template.spec as Json;
    return (podSpec.containers as Json[]).map((c) => ({ owner, name: String(c.name), c, pod: podSpec }));
  });

  it('covers the containers of every template', () => {
    expect(containers.map((c) => `${c.owner}:${c.name}`).sort()).toEqual([
      'Deployment/api:app',
      'Deployment/blog:nginx',
      'Deployment/blog:wordpress',
      'Deployment/home:nginx',
      'Deployment/shop:nginx',
      'Deployment/shop:php-fpm',
      'StatefulSet/blog-db:mariadb',
    ]);
  });

  it.each(containers)('$owner container $name', ({ c, pod }) => {
    const sc = c.securityContext as Json;
    expect(sc).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(sc.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.readinessProbe).toBeDefined();
    expect(c.livenessProbe).toBeDefined();
    const resources = c.resources as { requests: Json; limits: Json };
    expect(parseQuantity(String(resources.limits.cpu))).toBeLessThanOrEqual(parseQuantity('2'));
    expect(parseQuantity(String(resources.requests.memory))).toBeLessThanOrEqual(
      parseQuantity(String(resources.limits.memory)),
    );
    // A read-only root filesystem needs writable scratch space.
    if (sc.readOnlyRootFilesystem === true) {
      const mounts = (c.volumeMounts as Json[]).map((m) => m.mountPath);
      expect(mounts).toContain('/tmp');
    }
  });

  it('only the arbitrary image keeps a writable root filesystem', () => {
    const writable = containers.filter(
      ({ c }) => (c.securityContext as Json).readOnlyRootFilesystem !== true,
    );
    expect(writable.map((c) => `${c.owner}:${c.name}`)).toEqual(['Deployment/api:app']);
  });
});

describe('desiredTenantObjects: determinism', () => {
  it('gives deep-equal output for the same snapshot', () => {
    expect(desiredTenantObjects(snapshot(), testConfig, { 'blog.example.com': true })).toEqual(objects);
  });

  it('does not depend on the order of the sites in the rows', () => {
    const reversed = snapshot({ sites: [...snapshot().sites].reverse() });
    expect(desiredTenantObjects(reversed, testConfig, { 'blog.example.com': true })).toEqual(objects);
  });

  it('is sorted in apply order: namespace first, ingresses last', () => {
    expect(objects[0]?.kind).toBe('Namespace');
    expect(objects.at(-1)?.kind).toBe('Ingress');
    const quota = objects.findIndex((o) => o.kind === 'ResourceQuota');
    const firstWorkload = objects.findIndex((o) => o.kind === 'Deployment');
    expect(quota).toBeLessThan(firstWorkload);
  });

  it('names every host of every site, www included when wanted', () => {
    expect(tenantHosts(snapshot())).toEqual([
      'api.example.com',
      'blog.example.com',
      'home.example.com',
      'shop.example.com',
      'www.blog.example.com',
    ]);
  });
});

describe('desiredTenantObjects: an empty customer', () => {
  it('holds only the namespace and its guard rails', () => {
    const kinds = desiredTenantObjects(snapshot({ sites: [] }), testConfig).map((o) => o.kind);
    expect(new Set(kinds)).toEqual(
      new Set(['Namespace', 'RoleBinding', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']),
    );
  });

  it('a static site alone has no database objects', () => {
    const only = desiredTenantObjects(snapshot({ sites: [site({ name: 'home' })] }), testConfig);
    expect(only.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Secret')).toEqual([]);
  });
});

describe('desiredTenantObjects: the API identity', () => {
  const withApi = {
    ...testConfig,
    panelIdentity: {
      ...testConfig.panelIdentity,
      apiServiceAccount: 'hostplane-panel-api',
      tenantReaderClusterRole: 'hostplane-tenant-reader',
    },
  };

  it('binds the read-only tenant role to the API service account in the customer namespace only', () => {
    const bindings = desiredTenantObjects(snapshot(), withApi).filter((o) => o.kind === 'RoleBinding');
    const api = bindings.find((o) => o.metadata.name === 'hostplane-panel-api');
    expect(api?.metadata.namespace).toBe(`cust-${snapshot().id}`);
    expect(api?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'hostplane-tenant-reader',
    });
    expect(api?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'hostplane-panel-api', namespace: 'panel-system' },
    ]);
    expect(bindings.map((o) => o.metadata.name)).toEqual(['hostplane-panel', 'hostplane-panel-api']);
  });

  it('binds nothing for the API when the config names no API identity', () => {
    const names = desiredTenantObjects(snapshot(), testConfig)
      .filter((o) => o.kind === 'RoleBinding')
      .map((o) => o.metadata.name);
    expect(names).toEqual(['hostplane-panel']);
  });
});
