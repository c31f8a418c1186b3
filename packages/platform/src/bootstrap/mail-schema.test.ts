import { execFileSync } from 'node:child_process';
import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { mailSystem } from './mail.ts';
import { mailSchemaJobName, waitForMailSchema } from './mail-schema.ts';
import { pinTestConfig } from './pin-test-config.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects read by the assertions that check them
type Obj = any;

describe('the mail schema before Postfix and Dovecot (issue 14)', () => {
  const objects = mailSystem(pinTestConfig) as Obj[];

  it("is migrated by a Job running the panel's `hostplane mail-schema` from the panel image", () => {
    const job = objects.find((o: KubeObject) => o.kind === 'Job');
    expect(job.metadata.name).toBe(mailSchemaJobName(pinTestConfig));
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toBe(pinTestConfig.bootstrap.systemImages.panel);
    expect(container.args).toEqual(['mail-schema']);
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({
      name: 'mail-schema',
      key: 'MAIL_DATABASE_URL',
    });
  });

  it('is a new Job when the panel image changes (a Job template is immutable)', () => {
    const upgraded = parseBootstrapConfig({
      ...pinTestConfig,
      bootstrap: {
        ...pinTestConfig.bootstrap,
        systemImages: { ...pinTestConfig.bootstrap.systemImages, panel: 'ghcr.io/hostplane/panel:0.2.0' },
      },
    });
    expect(mailSchemaJobName(upgraded)).not.toBe(mailSchemaJobName(pinTestConfig));
    expect(mailSchemaJobName(pinTestConfig)).toMatch(/^mail-schema-[0-9a-f]{8}$/);
  });

  it('holds Postfix and Dovecot in an init container until the tables exist', () => {
    for (const name of ['postfix', 'dovecot']) {
      const set = objects.find((o: KubeObject) => o.kind === 'StatefulSet' && o.metadata.name === name);
      expect(
        set.spec.template.spec.initContainers.map((c: Obj) => c.name),
        name,
      ).toEqual(['wait-mail-schema']);
    }
    const init = waitForMailSchema(pinTestConfig);
    expect(init.image).toBe(pinTestConfig.bootstrap.systemImages.mariadb);
    expect(init.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    // Valid shell, and the mariadb command is one line (a newline inside $( ) would end it).
    execFileSync('sh', ['-n', '-c', init.command[2]!]);
    expect(init.command[2]).toMatch(/--skip-column-names \\\n/);
  });
});
