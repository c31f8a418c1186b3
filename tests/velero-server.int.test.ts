// Velero for real (issue 15, the part that does not need the real node): the server built from its
// module (v1.18.3, `veleroProgram`) with the AWS plugin built from its own module runs as a host
// process against the stack's apiserver (which serves the CRDs generated from the same binary), its
// BackupStorageLocation pointing at the stack's S3 store. A tenant's objects are backed up by the
// Backup the panel's renderer makes, the bucket holds them, a lost object is restored, a backup past
// its TTL is removed from the bucket, and provisioner-backup reads the real status objects.
// Pod volumes (Kopia by the node agent) need the real node: not here.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { desiredBackup, desiredRestore } from '@hostplane/domain';
import { cachedGoProgram, veleroAwsPluginProgram, veleroProgram } from '@hostplane/localstack';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { tenantVolumePolicy, VELERO_IMAGE } from '@hostplane/platform';
import { backupSettingsSchema, liveJobStatus } from '@hostplane/provisioner-backup';
import { KINDS, KubeHttpClient, type LiveObject } from '@hostplane/provisioner-k8s';
import { loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const tag = `v${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const veleroNs = `velero-${tag}`;
const customerId = 800_000 + (process.pid % 20_000) * 10;
const tenantNs = `cust-${customerId}`;
const prefix = `velero-${tag}`;
const settings = backupSettingsSchema.parse({ namespace: veleroNs, storageLocation: 'default' });
const tenantLabels = {
  tenant: 'true',
  'customer-id': String(customerId),
  'app.kubernetes.io/managed-by': 'hostplane',
};
const row = (name: string, backupName: string | null = null) => ({
  kind: backupName ? ('restore' as const) : ('backup' as const),
  name,
  backupName,
  phase: 'New',
  message: null,
  startedAt: null,
  completedAt: null,
});

const store = new S3ObjectStore(objectStoreSettingsFromEnv(stack));
let kube: KubeHttpClient;
let server: ChildProcess | undefined;
let dir: string;
const log: string[] = [];

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `timed out waiting for ${what} ${last ? String(last) : ''}\nvelero log:\n${log.slice(-30).join('')}`,
  );
}

const phaseOf = async (kind: typeof KINDS.Backup, name: string, done: (phase: string) => boolean) =>
  eventually(`${kind.kind} ${name} finished`, async () => {
    const o = await kube.get(kind, veleroNs, name);
    const phase = (o?.status as { phase?: string } | undefined)?.phase;
    return o && phase && done(phase) ? o : undefined;
  });
const terminal = (p: string) => ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation'].includes(p);

beforeAll(async () => {
  const velero = await cachedGoProgram(veleroProgram);
  const plugin = await cachedGoProgram(veleroAwsPluginProgram);
  if (!velero || !plugin) throw new Error('Velero or its AWS plugin is not built; run: npm run setup');
  kube = KubeHttpClient.fromKubeconfigFile(stack.KUBECONFIG);
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostplane-velero-'));
  // The plugin folder holds exactly the plugin, as the init container leaves it in the pod.
  await copyFile(plugin.binaries['velero-plugin-for-aws'] ?? '', path.join(dir, 'velero-plugin-for-aws'));
  const credentials = path.join(os.tmpdir(), `hostplane-velero-${tag}.cloud`);
  await writeFile(
    credentials,
    `[default]\naws_access_key_id=${stack.S3_ACCESS_KEY}\naws_secret_access_key=${stack.S3_SECRET_KEY}\n`,
    { mode: 0o600 },
  );
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: veleroNs, labels: {} } });
  await kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: tenantNs, labels: tenantLabels },
  });
  await kube.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'site-settings', namespace: tenantNs, labels: tenantLabels },
    data: { 'wp-config.php': `<?php define('DB_NAME', 'shop_${tag}');` },
  });
  // Not the tenant's: the label selector leaves it out of the backup.
  await kube.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'not-ours', namespace: tenantNs, labels: {} },
    data: { x: 'y' },
  });
  // Velero's restore looks its own Deployment up (the image of the restore helper): the rendered one's
  // name and image, scaled to zero, since the server runs here as a host process.
  await kube.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'velero', namespace: veleroNs, labels: {} },
    spec: {
      replicas: 0,
      selector: { matchLabels: { component: 'velero' } },
      template: {
        metadata: { labels: { component: 'velero' } },
        spec: {
          containers: [{ name: 'velero', image: VELERO_IMAGE, command: ['/velero'], args: ['server'] }],
        },
      },
    },
  });
  // The volume policy the tenant Backups name (bootstrap renders it into backup-system).
  await kube.apply(tenantVolumePolicy(veleroNs));
  await kube.apply({
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: 'default', namespace: veleroNs, labels: {} },
    spec: {
      provider: 'aws',
      default: true,
      objectStorage: { bucket: stack.S3_BUCKET, prefix },
      config: { region: 'us-east-1', s3Url: stack.S3_ENDPOINT, s3ForcePathStyle: 'true' },
    },
  });
  server = spawn(
    velero.binaries.velero ?? 'velero',
    [
      'server',
      `--kubeconfig=${stack.KUBECONFIG}`,
      `--namespace=${veleroNs}`,
      `--plugin-dir=${dir}`,
      '--uploader-type=kopia',
      '--features=',
      '--metrics-address=127.0.0.1:0',
      '--profiler-address=',
      '--store-validation-frequency=5s',
      '--garbage-collection-frequency=10s',
      '--backup-sync-period=10s',
      '--log-level=info',
    ],
    {
      env: {
        ...process.env,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        VELERO_NAMESPACE: veleroNs,
        HOME: dir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString('utf8'));
    if (log.length > 400) log.shift();
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  await eventually('the storage location Available', async () => {
    const bsl = await kube.get(KINDS.BackupStorageLocation, veleroNs, 'default');
    return (bsl?.status as { phase?: string } | undefined)?.phase === 'Available' ? bsl : undefined;
  });
}, 240_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await kube?.delete(KINDS.Namespace, null, tenantNs).catch(() => undefined);
  await kube?.delete(KINDS.Namespace, null, veleroNs).catch(() => undefined);
  const keys = (await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key);
  await store.delete(keys).catch(() => undefined);
  await kube?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Velero v1.18.3 built from its module, against the stack apiserver and S3 store', () => {
  let backup: LiveObject;
  const backupName = `cust-${customerId}-first`;

  it('backs up the tenant objects the panel selects: Completed, items counted, tarball in the bucket', async () => {
    await kube.apply(desiredBackup(customerId, row('first'), 3, settings));
    backup = await phaseOf(KINDS.Backup, backupName, terminal);
    const status = backup.status as {
      phase: string;
      progress?: { itemsBackedUp?: number; totalItems?: number };
      expiration?: string;
      errors?: number;
      warnings?: number;
    };
    expect(status.phase, log.slice(-20).join('')).toBe('Completed');
    // The namespace and the tenant's ConfigMap; not the unlabelled one.
    expect(status.progress?.itemsBackedUp).toBeGreaterThanOrEqual(2);
    expect(status.progress?.itemsBackedUp).toBe(status.progress?.totalItems);
    expect(Date.parse(status.expiration ?? '') - Date.now()).toBeGreaterThan(71 * 3_600_000);
    // What the panel shows for it (provisioner-backup's reading of the real object).
    const seen = liveJobStatus('backup', 'first', backup);
    expect(seen).toMatchObject({ phase: 'Completed', message: null });
    expect(seen.startedAt).not.toBeNull();
    expect(seen.completedAt).not.toBeNull();
    const keys = (await store.list(`${prefix}/backups/${backupName}/`)).map((o) => o.key.split('/').at(-1));
    expect(keys).toEqual(expect.arrayContaining([`${backupName}.tar.gz`, `velero-backup.json`]));
  });

  it('restores a lost tenant object into the same namespace; the unlabelled one is not touched', async () => {
    await kube.delete(KINDS.ConfigMap, tenantNs, 'site-settings');
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'not-ours', namespace: tenantNs, labels: {} },
      data: { x: 'changed after the backup' },
    });
    const restoreObject = desiredRestore(customerId, row('undo', 'first'), settings);
    await kube.apply(restoreObject);
    const restore = await phaseOf(KINDS.Restore, restoreObject.metadata.name, terminal);
    expect((restore.status as { phase: string }).phase, log.slice(-20).join('')).toBe('Completed');
    expect(liveJobStatus('restore', 'undo', restore).phase).toBe('Completed');
    const back = await kube.get(KINDS.ConfigMap, tenantNs, 'site-settings');
    expect(back?.data).toEqual({ 'wp-config.php': `<?php define('DB_NAME', 'shop_${tag}');` });
    expect((await kube.get(KINDS.ConfigMap, tenantNs, 'not-ours'))?.data).toEqual({
      x: 'changed after the backup',
    });
  });

  it('a backup to a location that does not exist fails validation with Velero’s reason', async () => {
    const bad = desiredBackup(customerId, row('nowhere'), 3, { ...settings, storageLocation: 'missing' });
    await kube.apply(bad);
    const failed = await phaseOf(KINDS.Backup, bad.metadata.name, terminal);
    const seen = liveJobStatus('backup', 'nowhere', failed);
    expect(seen.phase).toBe('FailedValidation');
    expect(seen.message).toMatch(/missing/);
  });

  it('a backup past its TTL is deleted by Velero, from the cluster and from the bucket', async () => {
    const shortLived = desiredBackup(customerId, row('short'), 3, settings);
    (shortLived.spec as { ttl: string }).ttl = '5s';
    await kube.apply(shortLived);
    const name = shortLived.metadata.name;
    const done = await phaseOf(KINDS.Backup, name, terminal);
    expect((done.status as { phase: string }).phase).toBe('Completed');
    await eventually(
      'the expired backup gone from the bucket and the cluster',
      async () => {
        const left = await store.list(`${prefix}/backups/${name}/`);
        const object = await kube.get(KINDS.Backup, veleroNs, name);
        return left.length === 0 && object === null ? true : undefined;
      },
      180_000,
    );
    // The first backup (TTL 72 h) is still there.
    expect((await store.list(`${prefix}/backups/${backupName}/`)).length).toBeGreaterThan(0);
  });
});
