// Velero on the real node, as `hostplane bootstrap` renders it for backup-system (bootstrap/backup.ts):
// the server Deployment (AWS plugin as init container), the node-agent DaemonSet reading the kubelet's
// pods folder, the BackupStorageLocation at the stack's S3 store as pods reach it (node-gateway relay),
// all from the images `hostplane images build` made out of the built binaries.
import { Writable } from 'node:stream';
import { LOCAL_STORAGE_CLASS, podS3Endpoint, stackPorts, throughNode } from '@hostplane/localstack';
import { BACKUP_NAMESPACE, backupSystem, parseBootstrapConfig } from '@hostplane/platform';
import { KINDS, type KubeHttpClient } from '@hostplane/provisioner-k8s';
import { type StackEnv, stackStateDir, waitFor } from '@hostplane/testing';
import { CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';

const SECRET_NAMES = [
  'pdnsApiKey',
  'pdnsDbPassword',
  'mailDbRootPassword',
  'mailDbPassword',
  'mailDbReadonlyPassword',
  'postgresPassword',
  'panelSecretKey',
  'grafanaAdminPassword',
];

/** Where the platform backup of the local node writes (`<prefix>/platform`, under the test's prefix). */
export const platformBackupPrefix = (prefix: string) => `${prefix}/platform`;

/**
 * The backup-system step of a bootstrap config for the local node (other sections are not applied).
 * The platform's databases are the stack's host PostgreSQL and MariaDB, as `bootstrap.external` through
 * the node gateway (what a managed database looks like to the platform backup's CronJob).
 */
export function localBackupObjects(stack: StackEnv, prefix: string, panelDatabaseUrl = stack.DATABASE_URL) {
  const config = parseBootstrapConfig({
    bootstrap: {
      external: {
        panelDatabaseUrl: throughNode(panelDatabaseUrl),
        mailDatabaseUrl: throughNode(stack.MAIL_DATABASE_URL),
        pdnsDatabaseUrl: throughNode(stack.PDNS_DATABASE_URL!),
      },
      hosts: { panel: 'panel.hostplane.test', mail: 'mail.hostplane.test' },
      acme: { email: 'hostmaster@hostplane.test' },
      backup: {
        bucket: stack.S3_BUCKET,
        prefix,
        platform: { prefix: platformBackupPrefix(prefix) },
        accessKeyId: stack.S3_ACCESS_KEY,
        secretAccessKey: stack.S3_SECRET_KEY,
        s3Url: podS3Endpoint(stackPorts),
        kubeletRootDir: `${stackStateDir()}/node/kubelet`,
        // A 2-core node: the local profile requests little (REAL-NODE.md).
        resources: {
          server: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '512Mi' } },
          nodeAgent: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '1Gi' } },
        },
      },
      secrets: Object.fromEntries(SECRET_NAMES.map((k) => [k, `local-${k}-0123456789`])),
    },
    storage: { storageClass: LOCAL_STORAGE_CLASS },
  });
  return backupSystem(config);
}

/** Applies backup-system and waits for the server, the node agent and the storage location. */
export async function deployVelero(
  admin: KubeHttpClient,
  stack: StackEnv,
  prefix: string,
  panelDatabaseUrl?: string,
): Promise<void> {
  for (const object of localBackupObjects(stack, prefix, panelDatabaseUrl)) await admin.apply(object);
  await waitFor(
    'backup-system: velero and node-agent Running, storage location Available',
    async () => {
      const pods = await admin.list(KINDS.Pod, BACKUP_NAMESPACE, 'app.kubernetes.io/name=velero');
      const running = (component: string) =>
        pods.some(
          (p) =>
            (p.metadata.labels?.component === component || p.metadata.labels?.name === component) &&
            (p.status as { phase?: string } | undefined)?.phase === 'Running' &&
            !p.metadata.deletionTimestamp,
        );
      const bsl = await admin.get(KINDS.BackupStorageLocation, BACKUP_NAMESPACE, 'default');
      const available = (bsl?.status as { phase?: string } | undefined)?.phase === 'Available';
      return running('velero') && running('node-agent') && available ? true : undefined;
    },
    { timeoutMs: 240_000 },
  );
}

/** Runs a command in a pod's container through the apiserver (as `kubectl exec`), returns stdout. */
export async function podExec(
  kubeconfig: string,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  await new Promise<void>((resolve, reject) => {
    new Exec(kc)
      .exec(
        namespace,
        pod,
        container,
        command,
        sink((s) => {
          out += s;
        }),
        sink((s) => {
          err += s;
        }),
        null,
        false,
        (status) => {
          if (status.status === 'Success') resolve();
          else reject(new Error(`exec ${command.join(' ')}: ${status.message ?? ''} ${err}`));
        },
      )
      .catch(reject);
  });
  return out;
}

/** Deletes a pod with no grace period: its containers are killed at once (SIGKILL). */
export async function killPod(kubeconfig: string, namespace: string, name: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
}
