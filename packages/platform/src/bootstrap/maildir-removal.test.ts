import { describe, expect, it } from 'vitest';
import { isRemovableMaildir, maildirRemovalJob, maildirRemovalJobName } from './maildir-removal.ts';

const image = 'docker.io/dovecot/dovecot:2.3.21.1';

interface JobShape {
  metadata: Record<string, unknown>;
  spec: {
    template: {
      spec: {
        containers: { command: string[] }[];
        volumes: { persistentVolumeClaim: { claimName: string } }[];
        securityContext: Record<string, unknown>;
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { labelSelector: unknown }[] };
        };
      };
    };
  };
}

describe('maildirRemovalJob', () => {
  it('removes exactly one folder on the Dovecot volume, as vmail, beside the Dovecot pod', () => {
    const job = maildirRemovalJob({ maildir: 'example.com/alice@42/', image }) as unknown as JobShape;
    expect(job.metadata).toMatchObject({
      namespace: 'mail-system',
      name: maildirRemovalJobName('example.com/alice@42/'),
    });
    const pod = job.spec.template.spec;
    expect(pod.containers[0]?.command).toEqual(['rm', '-rf', '--', '/var/mail/vhosts/example.com/alice@42/']);
    expect(pod.volumes[0]?.persistentVolumeClaim.claimName).toBe('maildirs-dovecot-0');
    expect(pod.securityContext).toMatchObject({ runAsUser: 5000, runAsNonRoot: true });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]?.labelSelector).toEqual(
      {
        matchLabels: { 'app.kubernetes.io/name': 'dovecot' },
      },
    );
  });

  it('names the Job after the folder: the same folder, the same Job', () => {
    expect(maildirRemovalJobName('a.example/x@1/')).toBe(maildirRemovalJobName('a.example/x@1/'));
    expect(maildirRemovalJobName('a.example/x@1/')).not.toBe(maildirRemovalJobName('a.example/x@2/'));
    expect(maildirRemovalJobName('a.example/x@1/')).toMatch(/^maildir-rm-[0-9a-f]{20}$/);
  });

  it.each([
    ['', false],
    ['example.com/', false],
    ['example.com/../etc/', false],
    ['../x/', false],
    ['/etc/x/', false],
    ['example.com/a/b/', false],
    ['example.com/.hidden/', false],
    ['example.com/alice/', true],
    ['example.com/alice@42/', true],
  ])('accepts %j only when it is a mailbox folder (%s)', (maildir, ok) => {
    expect(isRemovableMaildir(maildir)).toBe(ok);
    if (!ok) expect(() => maildirRemovalJob({ maildir, image })).toThrow();
  });
});
