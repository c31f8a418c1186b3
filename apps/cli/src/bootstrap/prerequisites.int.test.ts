// `hostplane bootstrap --config F --apply` refuses a cluster that lacks what the steps need, before
// writing anything, with a message that says what to do (against the local stack's apiserver).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeObject } from '@hostplane/domain';
import { parseBootstrapConfig, renderBootstrap } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { loadStackEnv, repoRoot, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentRef } from './applyset.ts';
import { checkPrerequisites, HELM_CHART_CRD } from './prerequisites.ts';

const env = loadStackEnv();
const run = Date.now().toString(36);
const cliBin = path.join(repoRoot, 'apps', 'cli', 'bin', 'hostplane.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hostplane-prereq-int-'));
const PRESENT_CLASS = `hostplane-prereq-int-${run}`;
let admin: KubeHttpClient;

function configFile(name: string, steps: string[], storageClass: string): string {
  const file = path.join(dir, `${name}.json`);
  const secrets = Object.fromEntries(
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
  );
  const config = {
    storage: { storageClass },
    bootstrap: {
      steps,
      hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
      acme: { email: 'hostmaster@example.net' },
      backup: { bucket: 'backups', s3Url: 'http://127.0.0.1:9000', accessKeyId: 'k', secretAccessKey: 's' },
      secrets,
    },
  };
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** `hostplane bootstrap --config F --apply` of this repository. */
function apply(config: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cliBin, 'bootstrap', '--config', config, '--apply', '--kubeconfig', env.KUBECONFIG, '--timeout', '30'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

beforeAll(async () => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  await admin.apply({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: PRESENT_CLASS, labels: {} },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!admin) return;
  await admin.delete(KINDS.StorageClass, null, PRESENT_CLASS);
  await admin.delete(KINDS.Deployment, 'kube-system', 'traefik');
  await admin.close();
});

describe('hostplane bootstrap --apply: prerequisites', () => {
  it('refuses a StorageClass nobody provides, naming it and the classes there are', async () => {
    const absent = `hostplane-prereq-absent-${run}`;
    const result = await apply(configFile('storage', ['dns'], absent));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`no StorageClass "${absent}" (storage.storageClass)`);
    expect(result.stderr).toContain(PRESENT_CLASS);
    // Nothing was written: the step's ApplySet parent does not exist.
    const parent = parentRef({ file: '02-dns-system.yaml', namespace: 'dns-system' });
    expect(await admin.get(KINDS.ConfigMap, parent.namespace, parent.name)).toBeNull();
  });

  it("refuses a cluster where k3s's bundled Traefik runs, saying how to disable it", async () => {
    await admin.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'traefik',
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/name': 'traefik' },
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'bundled-traefik' } },
        template: {
          metadata: { labels: { app: 'bundled-traefik' } },
          spec: { containers: [{ name: 'traefik', image: 'docker.io/library/traefik:v3' }] },
        },
      },
    });
    try {
      const result = await apply(configFile('ingress', ['ingress'], PRESENT_CLASS));
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('a bundled ingress runs already (Deployment kube-system/traefik)');
      expect(result.stderr).toContain('--disable=traefik');
    } finally {
      await admin.delete(KINDS.Deployment, 'kube-system', 'traefik');
    }
  });

  it('refuses HelmCharts without the helm-controller (no HelmChart CRD)', async () => {
    const live = await admin.get(KINDS.CustomResourceDefinition, null, HELM_CHART_CRD);
    expect(live, 'the stack installs the HelmChart CRD').not.toBeNull();
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: HELM_CHART_CRD, labels: live!.metadata.labels ?? {} },
      spec: live!.spec,
    };
    await admin.delete(KINDS.CustomResourceDefinition, null, HELM_CHART_CRD);
    try {
      await waitFor(
        'the HelmChart CRD gone',
        async () =>
          (await admin.get(KINDS.CustomResourceDefinition, null, HELM_CHART_CRD)) ? undefined : true,
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const result = await apply(configFile('charts', ['storage'], 'longhorn'));
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('HelmChart objects (longhorn) need the helm-controller');
      expect(result.stderr).toContain('--disable-helm-controller');
    } finally {
      await admin.apply(crd);
      await waitFor(
        'the HelmChart CRD back',
        async () => {
          const back = await admin.get(KINDS.CustomResourceDefinition, null, HELM_CHART_CRD);
          const conditions = (back?.status?.conditions ?? []) as { type?: string; status?: string }[];
          return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
  });

  it('lets a cluster that has everything through (the check writes nothing itself)', async () => {
    const config = parseBootstrapConfig(
      JSON.parse(readFileSync(configFile('ok', ['storage', 'ingress', 'panel'], PRESENT_CLASS), 'utf8')),
    );
    const writes = admin.stats.writes;
    expect(await checkPrerequisites(admin, renderBootstrap(config))).toEqual([]);
    expect(admin.stats.writes).toBe(writes);
  });
});
