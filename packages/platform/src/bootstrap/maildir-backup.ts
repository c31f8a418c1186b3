import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { CLUSTER_MAIL_ROOT } from '../mail-settings.ts';
import { platformS3Environment } from './backup.ts';
import { env, envFromSecret, platformCronJob, restrictedContainer, secret } from './common.ts';

// The Maildir volume in platform backups (issue 15): messages live on Dovecot's claim in mail-system,
// which a pod of backup-system cannot mount (a claim is namespaced), so this second CronJob runs
// `hostplane backup-platform` beside Dovecot with MAILDIR_ROOT only: a tar of the volume to the same
// bucket, under `<platform prefix>/maildir`, with the same schedule and retention. A Velero file-system
// backup of mail-system would need Velero's node agent working on that node and a restore of the whole
// claim; a tar is read by any operator with `tar` and restored into an empty volume just as well
// (docs/backups.md, "Disaster recovery").

const MAIL_NAMESPACE = 'mail-system';
/** Dovecot's mail uid: the Maildirs are 0700 vmail, so the archive is read as vmail (no capability). */
const VMAIL_UID = 5000;
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
      // The claim is ReadWriteOnce: run on Dovecot's node.
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'dovecot' } },
              topologyKey: 'kubernetes.io/hostname',
            },
          ],
        },
      },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: VMAIL_UID,
        runAsGroup: VMAIL_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
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
