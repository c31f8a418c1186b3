// `npm run bench:backup`: backup and restore throughput of a site volume through Velero's node agent
// (Kopia file-system backup into the stack's S3 store) on the real node (HOSTPLANE_STACK_NODE=real,
// `stack up`, images built with `npx hostplane images build`), side by side with the `kopia` CLI on the
// very same files in the same run (`kopia` built from its Go module, BENCH_KOPIA, default
// ~/.cache/hostplane/kopia/v0.16.0/kopia: the version Velero 1.18 links). BENCH_MIB (default 500) MiB of
// random data (incompressible) are written into a static site's volume through its pod; then:
// - Velero: a backup asked through the panel's API, and a restore of it after the file is deleted;
//   figures from the PodVolumeBackup's/PodVolumeRestore's own start and end (the bytes' move) and from
//   the API request to the row's `Completed` (everything: resources, hooks, the worker's passes);
// - kopia: `repository create s3` in the same bucket (another prefix), `snapshot create` of the
//   volume's folder on the node, `snapshot restore` into an empty folder.
// Prints one JSON line of figures. The customer and the S3 keys are deleted afterwards.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { TERMINAL_PHASES } from '@hostplane/provisioner-backup';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { newPassword, type Panel, runTag, stack, startPanel } from '../tests/support/panel.ts';
import { deployVelero, podExec } from '../tests/support/velero-node.ts';

const run = promisify(execFile);
const MIB = Number(process.env.BENCH_MIB ?? 500);
const KOPIA = process.env.BENCH_KOPIA ?? path.join(os.homedir(), '.cache/hostplane/kopia/v0.16.0/kopia');
const prefix = `bench-backup-${runTag}`;
const FILE = '/usr/share/nginx/html/bench.bin';
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the bench
type Obj = any;

const seconds = (from?: string, to?: string) =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : Number.NaN;
const rate = (s: number) => Math.round((MIB / s) * 10) / 10;

async function main(): Promise<void> {
  const store = new S3ObjectStore(objectStoreSettingsFromEnv(stack));
  const panel: Panel = await startPanel(830_000 + (process.pid % 10_000) * 10, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: `${Math.ceil((MIB * 1.2) / 1024) + 1}Gi` },
    publicAddresses: { ipv4: ['127.0.0.1'] },
  });
  let customerId: number | undefined;
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-backup-'));
  const figures: Record<string, number | string> = { mib: MIB };
  try {
    await deployVelero(panel.admin, stack, prefix);
    await panel.startWorker();
    const plan = await panel.http('POST', '/plans', {
      name: `bench-backup-${runTag}`,
      limits: {
        cpu: '4',
        memory: '4Gi',
        storage: '20Gi',
        sites: 1,
        domains: 1,
        mailboxes: 1,
        mailboxQuota: '1Gi',
        databases: 1,
        backupRetentionDays: 1,
        backupsPerDay: 10,
      },
    });
    const customer = await panel.http('POST', '/customers', {
      name: 'Bench Backup',
      email: `owner@${runTag}-bench.test`,
      planId: plan.body.id,
      password: newPassword(),
    });
    customerId = customer.body.id as number;
    const ns = `cust-${customerId}`;
    await panel.http('POST', `/customers/${customerId}/sites`, { name: 'web', template: 'static' });
    const webPod = () =>
      waitFor(
        'a Running pod of site web',
        async () =>
          ((await panel.admin.list(KINDS.Pod, ns, 'hostplane.io/site=web')) as Obj[]).find(
            (p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp,
          ),
        { timeoutMs: 240_000 },
      );
    const pod: Obj = await webPod();
    const container = pod.spec.containers[0].name;
    await podExec(stack.KUBECONFIG, ns, pod.metadata.name, container, [
      'sh',
      '-c',
      `head -c ${MIB}M /dev/urandom > ${FILE}`,
    ]);
    const job = (kind: 'backups' | 'restores', name: string) =>
      waitFor(
        `${kind} ${name} finished`,
        async () => {
          const res = await panel.http('GET', `/customers/${customerId}/${kind}`);
          const row = (res.body.items ?? res.body).find((r: Obj) => r.name === name);
          return row && TERMINAL_PHASES.has(row.phase) ? row : undefined;
        },
        { timeoutMs: 1_800_000, intervalMs: 500 },
      );

    // Velero: backup.
    let t0 = Date.now();
    const asked = await panel.http('POST', `/customers/${customerId}/backups`, {});
    const backup = await job('backups', asked.body.name);
    figures.veleroBackupApiSeconds = (Date.now() - t0) / 1000;
    if (backup.phase !== 'Completed') throw new Error(`backup ${backup.phase}: ${backup.message}`);
    const [pvb]: Obj[] = await panel.admin.list(
      KINDS.PodVolumeBackup,
      'backup-system',
      `velero.io/backup-name=${asked.body.name}`,
    );
    figures.veleroBackupSeconds = seconds(pvb.status.startTimestamp, pvb.status.completionTimestamp);
    figures.veleroBackupMiBps = rate(figures.veleroBackupSeconds);

    // kopia on the same files: the volume's folder on the node (the PV's local path).
    const claim: Obj = (await panel.admin.list(KINDS.PersistentVolumeClaim, ns, 'hostplane.io/site=web'))[0];
    const pv: Obj = await panel.admin.get(KINDS.PersistentVolume, null, claim.spec.volumeName);
    const volumeDir: string = pv.spec.local?.path ?? pv.spec.hostPath?.path;
    if (statSync(path.join(volumeDir, 'bench.bin')).size !== MIB * 1024 * 1024)
      throw new Error(`${volumeDir}/bench.bin is not the ${MIB} MiB written through the pod`);
    let kopia = false;
    try {
      statSync(KOPIA);
      kopia = true;
    } catch {
      figures.kopia = `no kopia binary at ${KOPIA}`;
    }
    if (kopia) {
      if (!stack.S3_ENDPOINT) throw new Error('the stack has no S3_ENDPOINT');
      const endpoint = new URL(stack.S3_ENDPOINT);
      const env = {
        ...process.env,
        KOPIA_PASSWORD: `bench-${runTag}`,
        KOPIA_CONFIG_PATH: path.join(work, 'kopia.config'),
        KOPIA_CACHE_DIRECTORY: path.join(work, 'cache'),
        KOPIA_LOG_DIR: path.join(work, 'logs'),
        KOPIA_CHECK_FOR_UPDATES: 'false',
      };
      const k = (...args: string[]) => run(KOPIA, args, { env, maxBuffer: 16 * 1024 * 1024 });
      await k(
        'repository',
        'create',
        's3',
        `--bucket=${stack.S3_BUCKET}`,
        `--endpoint=${endpoint.host}`,
        ...(endpoint.protocol === 'http:' ? ['--disable-tls'] : []),
        `--access-key=${stack.S3_ACCESS_KEY}`,
        `--secret-access-key=${stack.S3_SECRET_KEY}`,
        // Beside Velero's prefix, not in it: Velero marks a location with unknown top-level folders Unavailable.
        `--prefix=${prefix}-kopia/`,
      );
      figures.kopia = KOPIA;
      t0 = Date.now();
      const created = await k('snapshot', 'create', volumeDir, '--json');
      figures.kopiaBackupSeconds = (Date.now() - t0) / 1000;
      figures.kopiaBackupMiBps = rate(figures.kopiaBackupSeconds);
      const id = (JSON.parse(created.stdout) as { id: string }).id;
      const target = path.join(work, 'restored');
      t0 = Date.now();
      await k('snapshot', 'restore', id, target);
      figures.kopiaRestoreSeconds = (Date.now() - t0) / 1000;
      figures.kopiaRestoreMiBps = rate(figures.kopiaRestoreSeconds);
      if (statSync(path.join(target, 'bench.bin')).size !== MIB * 1024 * 1024)
        throw new Error('kopia restored a different file');
    }

    // Velero: restore (the file deleted first; the restore replaces the site's pod and claim).
    await podExec(stack.KUBECONFIG, ns, pod.metadata.name, container, ['rm', FILE]);
    t0 = Date.now();
    const restore = await panel.http('POST', `/customers/${customerId}/restores`, {
      backup: asked.body.name,
    });
    const restored = await job('restores', restore.body.name);
    figures.veleroRestoreApiSeconds = (Date.now() - t0) / 1000;
    if (restored.phase !== 'Completed') throw new Error(`restore ${restored.phase}: ${restored.message}`);
    const [pvr]: Obj[] = await panel.admin.list(
      KINDS.PodVolumeRestore,
      'backup-system',
      `velero.io/restore-name=${restore.body.name}`,
    );
    figures.veleroRestoreSeconds = seconds(pvr.status.startTimestamp, pvr.status.completionTimestamp);
    figures.veleroRestoreMiBps = rate(figures.veleroRestoreSeconds);
    const back: Obj = await webPod();
    const size = await podExec(stack.KUBECONFIG, ns, back.metadata.name, container, [
      'stat',
      '-c',
      '%s',
      FILE,
    ]);
    if (Number(size.trim()) !== MIB * 1024 * 1024) throw new Error(`restored ${size.trim()} bytes`);
    writeFileSync(path.join(os.tmpdir(), `bench-backup-${runTag}.json`), JSON.stringify(figures));
  } finally {
    if (customerId) await panel.http('DELETE', `/customers/${customerId}`).catch(() => undefined);
    await panel.close();
    for (const p of [`${prefix}/`, `${prefix}-kopia/`]) {
      const keys = (await store.list(p).catch(() => [])).map((o) => o.key);
      await store.delete(keys).catch(() => undefined);
    }
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
