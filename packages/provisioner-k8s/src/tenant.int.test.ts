import { quotaHard, tenantNamespace } from '@hostplane/domain';
import { readUntil } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_KINDS } from './apply.ts';
import { DnsHostResolver } from './host-resolver.ts';
import { KINDS } from './kinds.ts';
import type { LiveObject } from './port.ts';
import { createKubernetesTarget } from './target.ts';
import {
  converge,
  customer,
  customerId,
  type Harness,
  ingressHosts,
  site,
  startHarness,
} from './test-support/harness.ts';

const TENANT = { tenant: 'true', 'app.kubernetes.io/managed-by': 'hostplane' };

let h: Harness;
const id = customerId();
const ns = tenantNamespace(id);
const sites = [
  site('blog', { template: 'wordpress', database: true, databasePassword: 'pw-blog-1', www: true }),
  site('home', { replicas: 2 }),
];
const snapshot = customer(id, { sites });

/** Every object in the namespace of the kinds we manage, read as admin (no selector). */
async function everything(): Promise<LiveObject[]> {
  return (await Promise.all(TENANT_KINDS.map((kind) => h.admin.list(kind, ns)))).flat();
}

function versions(objects: LiveObject[]): Record<string, string | undefined> {
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  if (!h) return; // beforeAll failed: its error is the report
  await converge(h, { ...snapshot, deleting: true }, 60);
  await h.close();
});

describe('Kubernetes target against the local apiserver, as the panel service account', () => {
  it('creates every object with the tenant labels, and the pods become Ready', async () => {
    const outcome = await converge(h, snapshot);
    expect(outcome).toMatchObject({ status: 'True', reason: 'AwaitingDNS' });

    const namespace = await h.admin.get(KINDS.Namespace, null, ns);
    expect(namespace?.metadata.labels).toMatchObject({
      ...TENANT,
      'customer-id': String(id),
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const objects = await everything();
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'ResourceQuota/plan',
        'LimitRange/defaults',
        'NetworkPolicy/default-deny',
        'Deployment/blog',
        'Deployment/home',
        'StatefulSet/blog-db',
        'Secret/blog-db',
        'Service/blog-db',
        'PersistentVolumeClaim/blog-data',
        'PersistentVolumeClaim/data-blog-db-0',
        'Ingress/blog-http',
        'Ingress/home-http',
      ]),
    );
    for (const object of objects.filter((o) => o.metadata.name !== 'kube-root-ca.crt')) {
      expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
        ...TENANT,
        'customer-id': String(id),
      });
    }
    const quota = objects.find((o) => o.kind === 'ResourceQuota');
    expect(quota?.spec?.hard).toEqual(quotaHard(snapshot, h.config));
    const ingress = objects.find((o) => o.metadata.name === 'blog-http');
    expect(ingressHosts(ingress)).toEqual(['blog.k8s-int.test', 'www.blog.k8s-int.test']);

    const pods = await h.admin.list(KINDS.Pod, ns);
    expect(pods.map((p) => p.metadata.labels?.['hostplane.io/site']).sort()).toEqual([
      'blog',
      'blog',
      'home',
      'home',
    ]);
    for (const pod of pods) {
      const ready = ((pod.status?.conditions ?? []) as { type: string; status: string }[]).find(
        (c) => c.type === 'Ready',
      );
      expect(ready?.status, pod.metadata.name).toBe('True');
      expect(pod.metadata.labels).toMatchObject({ ...TENANT, 'customer-id': String(id) });
    }
    const statuses = h.siteStatus.get(id);
    expect(statuses?.map((s) => [s.name, s.state, s.replicas.ready, s.volume.phase])).toEqual([
      ['blog', 'Ready', 1, 'Bound'],
      ['home', 'Ready', 2, 'Bound'],
    ]);
  });

  it('sends no write on a second reconcile', async () => {
    expect(await converge(h, snapshot)).toMatchObject({ status: 'True' }); // its own first pass
    const before = versions(await everything());
    const writes = h.panel.stats.writes;
    const outcome = await h.target.run(snapshot, { signal: AbortSignal.timeout(60_000), log: h.log });
    expect(outcome.changes).toBe(0);
    expect(h.panel.stats.writes).toBe(writes);
    expect(versions(await everything())).toEqual(before);
  });

  it('repairs an object edited by hand, then is quiet again', async () => {
    await h.admin.patchMerge(KINDS.Deployment, ns, 'home', { spec: { replicas: 5 } }, 'intruder');
    await h.admin.patchMerge(
      KINDS.ConfigMap,
      ns,
      'home-nginx',
      { data: { 'default.conf': 'broken' } },
      'intruder',
    );
    const outcome = await converge(h, snapshot);
    expect(outcome.status).toBe('True');
    expect((await h.admin.get(KINDS.Deployment, ns, 'home'))?.spec?.replicas).toBe(2);
    const conf = await h.admin.get(KINDS.ConfigMap, ns, 'home-nginx');
    expect(((conf?.data ?? {}) as Record<string, string>)['default.conf']).toContain('listen 8080');
    const again = await h.target.run(snapshot, { signal: AbortSignal.timeout(60_000), log: h.log });
    expect(again.changes).toBe(0);
  });

  it('never touches an object without the managed-by label', async () => {
    const own = await h.admin.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'customer-own',
        namespace: ns,
        labels: { tenant: 'true', 'customer-id': String(id) },
      },
      data: { mine: 'yes' },
    });
    await converge(h, snapshot);
    await converge(h, { ...snapshot, sites: [sites[1]!] });
    const after = await h.admin.get(KINDS.ConfigMap, ns, 'customer-own');
    expect(after?.metadata.resourceVersion).toBe(own.metadata.resourceVersion);
  });

  it('deleting a site prunes exactly its objects', async () => {
    // The previous test already removed "blog"; wait for it to be gone, then compare.
    const outcome = await converge(h, { ...snapshot, sites: [sites[1]!] });
    expect(outcome.status).toBe('True');
    const left = await everything();
    const blog = left.filter(
      (o) => o.metadata.labels?.['hostplane.io/site'] === 'blog' && !o.metadata.deletionTimestamp,
    );
    expect(blog.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(left.some((o) => o.kind === 'Deployment' && o.metadata.name === 'home')).toBe(true);
    expect(left.some((o) => o.metadata.name === 'customer-own')).toBe(true);
  });

  it('suspends: replicas 0, hosts on the suspended page; unsuspend restores', async () => {
    const one = { ...snapshot, sites: [sites[1]!] };
    const suspended = await converge(h, { ...one, suspended: true });
    expect(suspended).toMatchObject({ status: 'True', reason: 'Suspended' });
    expect((await h.admin.get(KINDS.Deployment, ns, 'home'))?.spec?.replicas).toBe(0);
    const ingress = await h.admin.get(KINDS.Ingress, ns, 'home-http');
    expect(JSON.stringify(ingress?.spec)).toContain('"name":"suspended-page"');
    const alias = await h.admin.get(KINDS.Service, ns, 'suspended-page');
    expect(alias?.spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'suspended-page.panel-system.svc.cluster.local',
    });

    const restored = await converge(h, one);
    expect(restored.status).toBe('True');
    expect((await h.admin.get(KINDS.Deployment, ns, 'home'))?.status?.readyReplicas).toBe(2);
    expect(await h.admin.get(KINDS.Service, ns, 'suspended-page')).toBeNull();
  });
});

describe('quota', () => {
  const small = customerId();
  const plan = customer(small).plan;
  const tight = customer(small, {
    plan: { ...plan, limits: { ...plan.limits, sites: 1, databases: 0 } },
    sites: [site('crowd', { replicas: 6 })],
  });

  afterAll(async () => {
    if (!h) return;
    await converge(h, { ...tight, deleting: true }, 60);
  });

  it('refuses a pod beyond the plan and reports QuotaExceeded', async () => {
    await converge(h, tight, 15);
    const outcome = await readUntil(
      () => h.target.run(tight, { signal: AbortSignal.timeout(60_000), log: h.log }),
      (o) => o.reason === 'QuotaExceeded',
      // The ReplicaSet controller reports the refused create (ReplicaFailure) after its own work
      // queue and back-off: with npm test's two stacks sharing two cores it took over 40 s once.
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(outcome).toMatchObject({ status: 'False', reason: 'QuotaExceeded' });
    expect(outcome.message).toMatch(/crowd: QuotaExceeded: .*exceeded quota: plan/);
    // A pod already being deleted (kwok removes it a moment later) no longer counts against quota;
    // the ReplicaSet may still be replacing one, so read until the count settles (or the deadline).
    // The plan admits sites × (maxReplicasPerSite + 1) + databases = 4 pods, but Kubernetes may let
    // one more in: the quota controller recounts usage from its informer cache whenever a tracked
    // object changes (e.g. the site's PVC binding as its first pod lands), and that recount can
    // overwrite the admission's higher count mid-burst (measured: used.pods 3 written by quota
    // admission, then 2 by kube-controller-manager; failing runs had 5 pods with used.pods 4).
    // What the plan guarantees is that the Deployment does not get its 6 replicas.
    const limit = Number(quotaHard(tight, h.config).pods);
    const pods = await readUntil(
      async () =>
        (await h.admin.list(KINDS.Pod, tenantNamespace(small))).filter(
          (pod) => !pod.metadata?.deletionTimestamp,
        ),
      (list) => list.length >= limit && list.length <= limit + 1,
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(pods.length).toBeGreaterThanOrEqual(limit);
    expect(pods.length).toBeLessThanOrEqual(limit + 1);
    expect(h.siteStatus.get(small)?.[0]).toMatchObject({
      name: 'crowd',
      state: 'Failed',
      reason: 'QuotaExceeded',
    });
  }, 240_000);
});

describe('customer deletion', () => {
  it('removes the namespace and then reports Deleted', async () => {
    const gone = customerId();
    const doomed = customer(gone, { sites: [site('bye')] });
    await converge(h, doomed);
    const outcome = await converge(h, { ...doomed, deleting: true }, 90);
    expect(outcome).toMatchObject({ status: 'True', reason: 'Deleted' });
    expect(await h.admin.get(KINDS.Namespace, null, tenantNamespace(gone))).toBeNull();
  });
});

describe('a namespace that stays Terminating', () => {
  it('turns the condition False naming what holds it, then Deleted once released', async () => {
    const held = customerId();
    const namespace = tenantNamespace(held);
    const impatient = createKubernetesTarget({
      kube: h.panel,
      config: h.config,
      resolver: new DnsHostResolver(h.env.PDNS_DNS_ADDR),
      namespaceStuckAfterMs: 2_000,
    });
    const ctx = () => ({ signal: AbortSignal.timeout(60_000), log: h.log });
    await converge(h, customer(held));
    // Someone else's object with a finalizer nobody will remove: the namespace cannot finish.
    await h.admin.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace, labels: {}, finalizers: ['example.com/hold'] } as never,
    });
    const doomed = { ...customer(held), deleting: true };
    // The namespace controller reports what is left once it has tried to empty the namespace.
    let outcome = await readUntil(
      () => impatient.run(doomed, ctx()),
      (o) => o.reason === 'NamespaceStuck' && /example\.com\/hold/.test(o.message),
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(outcome).toMatchObject({ status: 'False', reason: 'NamespaceStuck', requeue: true });
    expect(outcome.message).toContain('example.com/hold');

    await h.admin.patchMerge(KINDS.ConfigMap, namespace, 'held', { metadata: { finalizers: null } }, 'test');
    outcome = await converge(h, doomed, 60);
    expect(outcome).toMatchObject({ status: 'True', reason: 'Deleted' });
  });
});
