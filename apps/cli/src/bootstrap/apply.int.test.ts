import { parseBootstrapConfig, renderBootstrap } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { LOCAL_STORAGE_CLASS, loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap, diffBootstrap } from './apply.ts';
import { APPLYSET_ID_LABEL, APPLYSET_PART_OF_LABEL, applySetId, parentRef } from './applyset.ts';

// Against the local stack's apiserver (Pod Security admission on, kwok node making pods Ready).
// The HelmChart, Velero, Traefik CRDs are installed, but no helm-controller runs (Velero's and Traefik's
// Deployments are scheduled on the kwok node, which does not run them):
// the charts are accepted as objects and nothing installs them. The StatefulSets' claims get their
// volumes from the stack's own provisioner (pinned to the kwok node that takes the pods).

const env = loadStackEnv();
const run = Date.now().toString(36);
const config = parseBootstrapConfig({
  storage: { storageClass: LOCAL_STORAGE_CLASS },
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: {
      bucket: 'backups',
      s3Url: 'http://127.0.0.1:9000',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
    },
    panelReplicas: 1,
    secrets: Object.fromEntries(
      [
        'pdnsApiKey',
        'pdnsDbPassword',
        'mailDbRootPassword',
        'mailDbPassword',
        'mailDbReadonlyPassword',
        'postgresPassword',
        'panelSecretKey',
        'grafanaAdminPassword',
      ].map((k) => [k, `int-test-${k}-0123456789`]),
    ),
  },
});
const steps = renderBootstrap(config);
const CLAIMS = [
  ['dns-system', 'data-pdns-db-0'],
  ['mail-system', 'data-mail-db-0'],
  ['mail-system', 'maildirs-dovecot-0'],
  ['mail-system', 'queue-postfix-0'],
  ['mail-system', 'data-webmail-0'],
  ['panel-system', 'data-panel-db-0'],
  ['ingress-system', 'traefik-acme'],
] as const;
/** Namespaces only this test uses; mail-system and panel-system are shared with other suites. */
const OWN_NAMESPACES = ['storage-system', 'dns-system', 'ingress-system', 'monitoring-system'];
let admin: KubeHttpClient;

beforeAll(() => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
});

afterAll(async () => {
  if (!admin) return;
  for (const step of [...steps].reverse()) {
    for (const object of step.objects) {
      // Cluster-wide objects and the panel's identity are shared with the other suites: left in place.
      if (
        (object.kind === 'ServiceAccount' && object.metadata.name.startsWith('hostplane-panel')) ||
        object.kind === 'Namespace' ||
        // The Traefik CRDs and the IngressClass are the stack's too (the edge uses them).
        object.kind === 'CustomResourceDefinition' ||
        object.kind === 'IngressClass' ||
        object.kind.startsWith('Cluster') ||
        object.kind.startsWith('Validating')
      )
        continue;
      await admin.delete(
        KINDS[object.kind as keyof typeof KINDS],
        object.metadata.namespace ?? null,
        object.metadata.name,
      );
    }
  }
  for (const step of steps) {
    const parent = parentRef(step);
    await admin.delete(KINDS.ConfigMap, parent.namespace, parent.name);
  }
  for (const name of [`hostplane-prune-int-${run}`, `hostplane-foreign-int-${run}`])
    await admin.delete(KINDS.ClusterRole, null, name);
  for (const [namespace, name] of CLAIMS) await admin.delete(KINDS.PersistentVolumeClaim, namespace, name);
  for (const name of OWN_NAMESPACES) await admin.delete(KINDS.Namespace, null, name);
  await admin.close();
});

describe('hostplane bootstrap --apply against the local apiserver', () => {
  it('creates every system namespace in order with its objects, and the workloads become ready', async () => {
    const lines: string[] = [];
    const results = await applyBootstrap(admin, steps, {
      timeoutMs: 150_000,
      progress: (l) => lines.push(l),
      heartbeatMs: 2_000,
    });
    expect(results.map((r) => r.file)).toEqual([
      '01-storage-system.yaml',
      '02-dns-system.yaml',
      '03-mail-system.yaml',
      '04-ingress-system.yaml',
      '05-backup-system.yaml',
      '06-monitoring-system.yaml',
      '07-panel-system.yaml',
    ]);
    for (const step of steps) {
      const ns = await admin.get(KINDS.Namespace, null, step.namespace);
      expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toMatch(
        /^(privileged|baseline|restricted)$/,
      );
      for (const object of step.objects) {
        const live = await admin.get(
          KINDS[object.kind as keyof typeof KINDS],
          object.metadata.namespace ?? null,
          object.metadata.name,
        );
        expect(live, `${object.kind}/${object.metadata.name}`).not.toBeNull();
      }
    }
    const chart = await admin.get(KINDS.HelmChart, 'kube-system', 'longhorn');
    expect(chart?.spec).toMatchObject({ chart: 'longhorn', targetNamespace: 'storage-system' });
    // Velero is rendered by the platform (no chart): its server Deployment is scheduled and ready.
    expect(await admin.get(KINDS.HelmChart, 'kube-system', 'velero')).toBeNull();
    const velero = await admin.get(KINDS.Deployment, 'backup-system', 'velero');
    expect(velero?.status?.readyReplicas).toBe(1);
    const pdns = await admin.get(KINDS.Deployment, 'dns-system', 'pdns');
    expect(pdns?.status?.readyReplicas).toBe(2);
    const dovecot = await admin.get(KINDS.StatefulSet, 'mail-system', 'dovecot');
    expect(dovecot?.status?.readyReplicas).toBe(1);
    // pdns-db, pdns; mail-db, redis, rspamd, dovecot, postfix, webmail; traefik; panel-db, panel,
    // panel-worker, web, sftp-gateway, suspended-page.
    // …and backup-system's velero Deployment (rendered by the platform since it has no chart).
    expect(results.reduce((n, r) => n + r.workloads, 0)).toBe(16);
    // It said what it waited for: one line per workload as it became ready.
    for (const step of steps)
      for (const w of step.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet'))
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^${step.file}: ${w.kind}/${w.metadata.namespace}/${w.metadata.name} ready after \\d+ s$`,
            ),
          ),
        );
    const traefik = await admin.get(KINDS.Deployment, 'ingress-system', 'traefik');
    expect(traefik?.status?.readyReplicas).toBe(1);
  }, 600_000);

  it('the pods were admitted under their namespace’s Pod Security level', async () => {
    for (const [ns, selector] of [
      ['dns-system', 'app.kubernetes.io/name=pdns'],
      ['panel-system', 'app.kubernetes.io/name=panel'],
      ['mail-system', 'app.kubernetes.io/name=postfix'],
      ['ingress-system', 'app.kubernetes.io/name=traefik'],
    ] as const) {
      const pods = await admin.list(KINDS.Pod, ns, selector);
      expect(pods.length, `${ns} ${selector}`).toBeGreaterThan(0);
    }
  });

  it('a second --apply changes nothing', async () => {
    await applyBootstrap(admin, steps, { timeoutMs: 150_000 }); // its own first pass
    const writes = admin.stats.writes;
    const results = await applyBootstrap(admin, steps, { timeoutMs: 60_000 });
    expect(results.flatMap((r) => r.applied)).toEqual([]);
    expect(admin.stats.writes).toBe(writes);
  }, 300_000);

  it('prunes what a new version no longer renders, and never what it did not create', async () => {
    const v2 = steps.find((s) => s.file === '07-panel-system.yaml')!;
    const ns = v2.namespace;
    const extraConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `hostplane-prune-int-${run}`, namespace: ns, labels: {} },
      data: { version: 'v1' },
    };
    const extraClusterRole = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `hostplane-prune-int-${run}`, labels: {} },
      rules: [],
    };
    const v1 = { ...v2, objects: [...v2.objects, extraConfigMap, extraClusterRole] };
    // Objects of the same kinds that someone else made: the bootstrap must leave them alone.
    await admin.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `hostplane-foreign-int-${run}`, namespace: ns, labels: {} },
      data: { owner: 'operator' },
    });
    await admin.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `hostplane-foreign-int-${run}`, labels: {} },
      rules: [],
    });

    const first = await applyBootstrap(admin, [v1], { timeoutMs: 60_000 });
    expect(first[0]!.applied).toContain(`ConfigMap/${ns}/hostplane-prune-int-${run}`);
    const made = await admin.get(KINDS.ConfigMap, ns, `hostplane-prune-int-${run}`);
    expect(made?.metadata.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId(v2));
    const parent = await admin.get(KINDS.ConfigMap, ns, parentRef(v2).name);
    expect(parent?.metadata.labels?.[APPLYSET_ID_LABEL]).toBe(applySetId(v2));
    expect(parent?.metadata.annotations?.['applyset.kubernetes.io/contains-group-kinds']).toContain(
      'ClusterRole.rbac.authorization.k8s.io',
    );

    // v2 no longer renders them: --diff says so, --apply removes them.
    const diff = await diffBootstrap(admin, [v2]);
    expect(diff[0]!.changes.sort()).toEqual(
      [
        `prune ClusterRole/hostplane-prune-int-${run}`,
        `prune ConfigMap/${ns}/hostplane-prune-int-${run}`,
      ].sort(),
    );
    const second = await applyBootstrap(admin, [v2], { timeoutMs: 60_000 });
    expect(second[0]!.pruned.sort()).toEqual(
      [`ClusterRole/hostplane-prune-int-${run}`, `ConfigMap/${ns}/hostplane-prune-int-${run}`].sort(),
    );
    expect(await admin.get(KINDS.ConfigMap, ns, `hostplane-prune-int-${run}`)).toBeNull();
    expect(await admin.get(KINDS.ClusterRole, null, `hostplane-prune-int-${run}`)).toBeNull();
    // The foreign objects of the same kinds stay.
    expect(await admin.get(KINDS.ConfigMap, ns, `hostplane-foreign-int-${run}`)).not.toBeNull();
    expect(await admin.get(KINDS.ClusterRole, null, `hostplane-foreign-int-${run}`)).not.toBeNull();
    await admin.delete(KINDS.ConfigMap, ns, `hostplane-foreign-int-${run}`);

    // And then a further --apply writes nothing.
    const writes = admin.stats.writes;
    const third = await applyBootstrap(admin, [v2], { timeoutMs: 60_000 });
    expect(third[0]!.applied).toEqual([]);
    expect(third[0]!.pruned).toEqual([]);
    expect(admin.stats.writes).toBe(writes);
    expect((await diffBootstrap(admin, [v2]))[0]!.changes).toEqual([]);
  }, 300_000);

  it('removes a step a new version dropped entirely (its parent exists, the step is no longer rendered)', async () => {
    const namespace = `hostplane-dropped-int-${run}`;
    const dropped = {
      ...steps[steps.length - 1]!,
      order: 99,
      file: `99-dropped-int-${run}.yaml`,
      namespace,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: {} } },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings', namespace, labels: {} },
          data: { version: 'v1' },
        },
      ],
    };
    // v1 renders the extra step; the whole render is applied.
    await applyBootstrap(admin, [...steps, dropped], { timeoutMs: 150_000, pruneDroppedSteps: true });
    expect(await admin.get(KINDS.ConfigMap, namespace, 'settings')).not.toBeNull();
    expect(await admin.get(KINDS.ConfigMap, namespace, parentRef(dropped).name)).not.toBeNull();

    // v2 no longer renders it: --diff shows its members going, --apply removes them and the parent.
    const diff = await diffBootstrap(admin, steps, { pruneDroppedSteps: true });
    expect(diff.find((d) => d.file === dropped.file)?.changes.sort()).toEqual(
      [`prune ConfigMap/${namespace}/settings`, `prune Namespace/${namespace}`].sort(),
    );
    expect(diff.filter((d) => d.file !== dropped.file).flatMap((d) => d.changes)).toEqual([]);
    const results = await applyBootstrap(admin, steps, { timeoutMs: 150_000, pruneDroppedSteps: true });
    expect(results.find((r) => r.file === dropped.file)?.pruned.sort()).toEqual(
      [`ConfigMap/${namespace}/settings`, `Namespace/${namespace}`].sort(),
    );
    expect(
      results.filter((r) => r.file !== dropped.file).flatMap((r) => [...r.applied, ...r.pruned]),
    ).toEqual([]);
    expect(await admin.get(KINDS.ConfigMap, namespace, parentRef(dropped).name)).toBeNull();
    const ns = await admin.get(KINDS.Namespace, null, namespace);
    expect(ns === null || ns.metadata.deletionTimestamp !== undefined).toBe(true);

    // A further --apply of the same render writes nothing, and --diff shows nothing.
    const writes = admin.stats.writes;
    const again = await applyBootstrap(admin, steps, { timeoutMs: 60_000, pruneDroppedSteps: true });
    expect(again.map((r) => r.file)).toEqual(steps.map((s) => s.file));
    expect(admin.stats.writes).toBe(writes);
    expect(
      (await diffBootstrap(admin, steps, { pruneDroppedSteps: true })).flatMap((d) => d.changes),
    ).toEqual([]);
  }, 600_000);
});
