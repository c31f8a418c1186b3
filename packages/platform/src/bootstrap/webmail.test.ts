import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { panelPlatformConfigYaml } from './panel.ts';
import { pinTestConfig } from './pin-test-config.ts';
import { webmail } from './webmail.ts';

const PORTS = { imapPort: 10143, submission: { serviceName: 'submission', servicePort: 587 } };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
// biome-ignore lint/suspicious/noExplicitAny: rendered objects read by the assertions that check them
type Obj = any;

function rendered(trustedRootsPem?: string) {
  const config = parseBootstrapConfig({
    ...pinTestConfig,
    bootstrap: {
      ...pinTestConfig.bootstrap,
      acme: { ...pinTestConfig.bootstrap.acme, ...(trustedRootsPem ? { trustedRootsPem } : {}) },
    },
  });
  const objects = webmail(config, PORTS);
  const byKind = (kind: string) => objects.find((o: KubeObject) => o.kind === kind) as Obj;
  const phpFpm = byKind('StatefulSet').spec.template.spec.containers.find((c: Obj) => c.name === 'php-fpm');
  return { cm: byKind('ConfigMap'), phpFpm };
}

describe('webmail TLS towards Dovecot and Postfix (issue 17)', () => {
  it("checks the mail host's certificate against the system CAs of the image by default", () => {
    const { cm, phpFpm } = rendered();
    expect(cm.data['config.inc.php']).not.toContain("'cafile'");
    expect(cm.data['ca.pem']).toBeUndefined();
    expect(phpFpm.volumeMounts.map((m: Obj) => m.mountPath)).not.toContain('/etc/hostplane/ca.pem');
  });

  it("trusts the ACME server's own roots when the install names them (a private ACME CA)", () => {
    const { cm, phpFpm } = rendered(PEM);
    expect(cm.data['ca.pem']).toBe(PEM);
    expect(cm.data['config.inc.php']).toContain("'cafile' => '/etc/hostplane/ca.pem'");
    expect(cm.data['config.inc.php']).toContain("'peer_name' => 'mail.example.net'");
    expect(phpFpm.volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/etc/hostplane/ca.pem',
      subPath: 'ca.pem',
      readOnly: true,
    });
  });
});

describe("the panel's link to the webmail (issue 17)", () => {
  it('is https://<hosts.webmail>/ in the platform config the panel reads, unless the config names one', () => {
    const platform = (yaml: string) => parse(yaml) as { webmailUrl?: string };
    expect(platform(panelPlatformConfigYaml(pinTestConfig)).webmailUrl).toBe('https://webmail.example.net/');
    const named = parseBootstrapConfig({ ...pinTestConfig, webmailUrl: 'https://mail.example.org/' });
    expect(platform(panelPlatformConfigYaml(named)).webmailUrl).toBe('https://mail.example.org/');
    const withoutMail = parseBootstrapConfig({
      ...pinTestConfig,
      bootstrap: { ...pinTestConfig.bootstrap, steps: ['dns'] },
    });
    expect(platform(panelPlatformConfigYaml(withoutMail)).webmailUrl).toBeUndefined();
  });
});
