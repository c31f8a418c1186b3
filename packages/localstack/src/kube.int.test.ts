import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadStackEnv, repoRoot, waitFor } from '@hostplane/testing';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Deployment,
  type V1PodSpec,
  VersionApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listYamlFiles, parseCrdDocuments } from './components/kube-crds.ts';
import { FAKE_NODE_NAME } from './components/kube-node.ts';

const crdDir = path.resolve(repoRoot, '..', 'shared', 'crds');
const created: string[] = [];

let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(() => {
  kc = new KubeConfig();
  kc.loadFromFile(loadStackEnv().KUBECONFIG);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(ignoreNotFound)));
});

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof ApiException && error.code === 404)) throw error;
}

async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  // A fresh name per call, so a retried test never meets the namespace of its first attempt.
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  created.push(name);
  return name;
}

function deployment(name: string, podSpec: V1PodSpec, replicas = 2): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}

const restrictedContainer = {
  name: 'web',
  image: 'nginx:1.27',
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 101,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

describe('local Kubernetes control plane', () => {
  it('refuses an object beyond a ResourceQuota with the quota error', async () => {
    const namespace = await createNamespace('it-quota');
    await core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'small' }, spec: { hard: { configmaps: '3' } } },
    });
    // The quota controller fills status.used before admission can count; kube-root-ca.crt (made by
    // another controller, at its own moment) counts too, so fill up until the apiserver refuses.
    // Wait until the quota counts exactly what the namespace holds (kube-root-ca.crt included): a
    // recount the controller started before the root CA appeared would otherwise land after our
    // creates and set `used` back, letting one more through (seen once: 4 ConfigMaps under hard 3).
    await waitFor(
      'quota status to count every ConfigMap of the namespace',
      async () => {
        const [quota, present] = await Promise.all([
          core.readNamespacedResourceQuota({ namespace, name: 'small' }),
          core.listNamespacedConfigMap({ namespace }),
        ]);
        const used = quota.status?.used?.configmaps;
        const hasRootCa = present.items.some((c) => c.metadata?.name === 'kube-root-ca.crt');
        return hasRootCa && used === String(present.items.length) ? used : undefined;
      },
      60_000,
    );
    let refused: unknown;
    for (let i = 0; i < 5 && refused === undefined; i++) {
      refused = await core
        .createNamespacedConfigMap({ namespace, body: { metadata: { name: `fill-${i}` } } })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    }
    const configMaps = await core.listNamespacedConfigMap({ namespace });
    expect(configMaps.items).toHaveLength(3);
    expect(refused).toBeInstanceOf(ApiException);
    expect((refused as ApiException<string>).code).toBe(403);
    expect(String((refused as ApiException<string>).body)).toMatch(
      /exceeded quota: small.*limited: configmaps=3/,
    );
  });

  it('enforces the restricted pod security level: a non-compliant Deployment makes no pods', async () => {
    const namespace = await createNamespace('it-psa-bad', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('rooted', { containers: [{ name: 'web', image: 'nginx:1.27' }] }),
    });
    const failure = await waitFor(
      'ReplicaSet FailedCreate',
      async () => {
        const sets = await apps.listNamespacedReplicaSet({ namespace });
        const conditions = sets.items.flatMap((set) => set.status?.conditions ?? []);
        return conditions.find((c) => c.type === 'ReplicaFailure' && c.reason === 'FailedCreate');
      },
      60_000,
    );
    expect(failure.message).toMatch(/violates PodSecurity "restricted/);
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items).toHaveLength(0);
  });

  it('runs a compliant Deployment to Ready on the kwok node', async () => {
    const namespace = await createNamespace('it-psa-good', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('web', { containers: [restrictedContainer] }),
    });
    await waitFor(
      '2 ready replicas',
      async () => {
        const current = await apps.readNamespacedDeployment({ namespace, name: 'web' });
        return current.status?.readyReplicas === 2 ? true : undefined;
      },
      60_000,
    );
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toBe(FAKE_NODE_NAME);
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
    }
  });

  it('deletes a namespace with its objects', async () => {
    const namespace = await createNamespace('it-delete');
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'data' }, data: { a: 'b' } },
    });
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('web', { containers: [restrictedContainer] }, 1),
    });
    await waitFor(
      'a running pod',
      async () => {
        const pods = await core.listNamespacedPod({ namespace });
        return pods.items.some((pod) => pod.status?.phase === 'Running') ? true : undefined;
      },
      60_000,
    );
    await core.deleteNamespace({ name: namespace });
    // The namespace controller empties a Terminating namespace, then drops its `kubernetes` finalizer:
    // the namespace itself vanishes only after every object in it is gone.
    const terminating = await core.readNamespace({ name: namespace }).catch((error: unknown) => {
      ignoreNotFound(error);
      return undefined;
    });
    if (terminating) expect(terminating.status?.phase).toBe('Terminating');
    await waitFor(
      'namespace gone',
      () =>
        core.readNamespace({ name: namespace }).then(
          () => undefined,
          (error: unknown) => {
            ignoreNotFound(error);
            return true;
          },
        ),
      90_000,
    );
    const [configMaps, deployments, pods] = await Promise.all([
      core.listNamespacedConfigMap({ namespace }),
      apps.listNamespacedDeployment({ namespace }),
      core.listNamespacedPod({ namespace }),
    ]);
    expect([configMaps.items, deployments.items, pods.items]).toEqual([[], [], []]);
  });

  it('has every CRD of ../shared/crds Established', async () => {
    const names = [];
    for (const file of await listYamlFiles(crdDir)) {
      names.push(...parseCrdDocuments(await readFile(file, 'utf8'), file).map((crd) => crd.metadata.name));
    }
    expect(names.length).toBeGreaterThan(40);
    const api = kc.makeApiClient(ApiextensionsV1Api);
    const notEstablished = [];
    for (const name of names) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.find((c) => c.type === 'Established')?.status;
      if (established !== 'True') notEstablished.push(name);
    }
    expect(notEstablished).toEqual([]);
  });

  it('creates and reads back a Velero Backup and a Traefik IngressRoute', async () => {
    const namespace = await createNamespace('it-crs');
    const custom = kc.makeApiClient(CustomObjectsApi);
    const backup = {
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'nightly' },
      spec: {
        includedNamespaces: [namespace],
        labelSelector: { matchLabels: { tenant: 'true' } },
        ttl: '720h0m0s',
      },
    };
    await custom.createNamespacedCustomObject({
      group: 'velero.io',
      version: 'v1',
      namespace,
      plural: 'backups',
      body: backup,
    });
    const route = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'site' },
      spec: {
        entryPoints: ['websecure'],
        routes: [{ match: 'Host(`example.test`)', kind: 'Rule', services: [{ name: 'web', port: 80 }] }],
      },
    };
    await custom.createNamespacedCustomObject({
      group: 'traefik.io',
      version: 'v1alpha1',
      namespace,
      plural: 'ingressroutes',
      body: route,
    });

    const readBackup = await custom.getNamespacedCustomObject({
      group: 'velero.io',
      version: 'v1',
      namespace,
      plural: 'backups',
      name: 'nightly',
    });
    expect(readBackup.spec).toEqual(backup.spec);
    const readRoute = await custom.getNamespacedCustomObject({
      group: 'traefik.io',
      version: 'v1alpha1',
      namespace,
      plural: 'ingressroutes',
      name: 'site',
    });
    expect(readRoute.spec).toEqual(route.spec);
  });

  it('reports the pinned Kubernetes release on /version', async () => {
    const goMod = await readFile(path.join(repoRoot, 'tools', 'localcluster', 'go.mod'), 'utf8');
    const pinned = /k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/.exec(goMod)?.[1];
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(pinned).toMatch(/^v1\./);
    expect(version.gitVersion).toBe(pinned);
  });
});
