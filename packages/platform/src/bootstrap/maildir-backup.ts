import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { CLUSTER_MAIL_ROOT } from '../mail-settings.ts';
import { platformS3Environment } from './backup.ts';
import { env, envFromSecret, platformCronJob, restrictedContainer, secret } from './common.ts';
import { besideDovecot } from './maildir-removal.ts';

// The Maildir volume in platform backups (issue 15): messages live on Dovecot's claim in mail-system,
// which a pod of backup-system cannot mount (a claim is namespaced), so this second CronJob runs
// `hostplane backup-platform` beside Dovecot with MAILDIR_ROOT only: a tar of the volume to the same
// bucket, under `<platform prefix>/maildir`, with the same schedule and retention. A Velero file-system
// backup of mail-system would need Velero's node agent working on that node and a restore of the whole
// claim; a tar is read by any operator with `tar` and restored into an empty volume just as well
// (docs/backups.md, "Disaster recovery").

const MAIL_NAMESPACE = 'mail-system';
export const MAILDIR_BACKUP_APP = 'platform-maildir-backup';
/** Dovecot's claim (StatefulSet `dovecot`, volume claim template `maildirs`). */
export const MAILDIR_CLAIM = 'maildirs-dovecot-0';

/** The key prefix of the Maildir archives: beside the platform's database dumps, not among them. */
export const maildirBackupPrefix = (config: BootstrapConfig): string =>
  `${config.bootstrap.backup.platform.prefix}/maildir`;

export function maildirBackupCronJob(config: BootstrapConfig): KubeObject[] {
  const p = config.bootstrap.backup.platform;
  const name = MAILDIR_BACKUP_APP;
  const values = platformS3Environment(config);
  return [
    secret(`${name}-env`, MAIL_NAMESPACE, name, values),
    platformCronJob(name, MAIL_NAMESPACE, p.schedule, {
      ...besideDovecot(),
      containers: [
        {
          name: 'backup',
          image: config.bootstrap.systemImages.panel,
          args: [
            'backup-platform',
            '--prefix',
            maildirBackupPrefix(config),
            '--retention-days',
            String(p.retentionDays),
          ],
          env: [
            env('TMPDIR', '/tmp'),
            env('MAILDIR_ROOT', CLUSTER_MAIL_ROOT),
            ...Object.keys(values).map((key) => envFromSecret(key, `${name}-env`, key)),
          ],
          securityContext: restrictedContainer,
          // A failed run's last lines stay in the pod's status (the Job controller deletes its pods).
          terminationMessagePolicy: 'FallbackToLogsOnError',
          volumeMounts: [
            { name: 'tmp', mountPath: '/tmp' },
            { name: 'maildirs', mountPath: CLUSTER_MAIL_ROOT, readOnly: true },
          ],
        },
      ],
      volumes: [
        // The archive is written here before the upload: as large as the mail, compressed.
        { name: 'tmp', emptyDir: {} },
        { name: 'maildirs', persistentVolumeClaim: { claimName: MAILDIR_CLAIM, readOnly: true } },
      ],
    }),
  ];
}

/**
 * Disaster recovery of the Maildir volume (docs/backups.md, step 3) as one object: a Job made from the
 * CronJob's template (as `kubectl create job --from=cronjob/platform-maildir-backup` makes it) that runs
 * `restore-platform --only maildir` with Dovecot's claim mounted writable. Files come back as uid 5000;
 * messages delivered since the backup stay. `backupId` picks a backup (default: the newest complete).
 */
export function maildirRestoreJob(config: BootstrapConfig, name: string, backupId?: string): KubeObject {
  const cronJob = maildirBackupCronJob(config).find((o) => o.kind === 'CronJob');
  if (!cronJob) throw new Error('the Maildir backup renders no CronJob');
  const spec = structuredClone((cronJob.spec as { jobTemplate: { spec: JobSpec } }).jobTemplate.spec);
  const pod = spec.template.spec;
  const container = pod.containers[0];
  if (!container) throw new Error('the Maildir backup CronJob has no container');
  container.args = [
    'restore-platform',
    '--prefix',
    maildirBackupPrefix(config),
    '--only',
    'maildir',
    ...(backupId ? ['--backup', backupId] : []),
    '--yes',
  ];
  container.volumeMounts = container.volumeMounts.map(({ readOnly: _, ...mount }) => mount);
  pod.volumes = pod.volumes.map((volume) =>
    volume.persistentVolumeClaim
      ? { ...volume, persistentVolumeClaim: { claimName: MAILDIR_CLAIM } }
      : volume,
  );
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: MAIL_NAMESPACE,
      labels: { ...(cronJob.metadata.labels ?? {}) },
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
    },
    spec,
  };
}

interface JobSpec {
  template: {
    spec: {
      containers: { args?: string[]; volumeMounts: { name: string; readOnly?: boolean }[] }[];
      volumes: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }[];
    };
  };
}
