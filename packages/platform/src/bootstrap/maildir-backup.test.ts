import { describe, expect, it } from 'vitest';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { maildirBackupCronJob, maildirRestoreJob } from './maildir-backup.ts';

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
  ].map((k) => [k, `secret-${k}-0123456789`]),
);
const config = parseBootstrapConfig({
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: { bucket: 'backups', accessKeyId: 'AKIA', secretAccessKey: 'shh' },
    secrets,
  },
});

// biome-ignore lint/suspicious/noExplicitAny: rendered objects read by the assertions that check them
type Obj = any;

describe('maildirRestoreJob (docs/backups.md, disaster recovery step 3)', () => {
  const cronJob: Obj = maildirBackupCronJob(config).find((o) => o.kind === 'CronJob');
  const job: Obj = maildirRestoreJob(config, 'dr-maildir', '20261127T190553Z');

  it('is the CronJob’s Job template running restore-platform --only maildir', () => {
    expect(job).toMatchObject({ kind: 'Job', metadata: { name: 'dr-maildir', namespace: 'mail-system' } });
    const pod = job.spec.template.spec;
    expect(pod.containers[0].args).toEqual([
      'restore-platform',
      '--prefix',
      'platform/maildir',
      '--only',
      'maildir',
      '--backup',
      '20261127T190553Z',
      '--yes',
    ]);
    // Same image, environment, uid, node (affinity to Dovecot) as the backup.
    const template = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].image).toBe(template.containers[0].image);
    expect(pod.containers[0].env).toEqual(template.containers[0].env);
    expect(pod.securityContext).toEqual(template.securityContext);
    expect(pod.affinity).toEqual(template.affinity);
  });

  it('mounts Dovecot’s claim writable; the CronJob keeps it read-only', () => {
    const pod = job.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'maildirs',
      persistentVolumeClaim: { claimName: 'maildirs-dovecot-0' },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'maildirs',
      mountPath: '/var/mail/vhosts',
    });
    expect(cronJob.spec.jobTemplate.spec.template.spec.volumes).toContainEqual({
      name: 'maildirs',
      persistentVolumeClaim: { claimName: 'maildirs-dovecot-0', readOnly: true },
    });
  });

  it('without a backup id restores the newest complete backup', () => {
    const latest: Obj = maildirRestoreJob(config, 'dr');
    expect(latest.spec.template.spec.containers[0].args).not.toContain('--backup');
  });
});
