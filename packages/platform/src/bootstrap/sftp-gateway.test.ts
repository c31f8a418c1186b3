import { describe, expect, it } from 'vitest';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { pinTestConfig } from './pin-test-config.ts';
import { SFTP_GATEWAY_SERVICE_ACCOUNT, sftpGateway } from './sftp-gateway.ts';

describe('the SFTP gateway in panel-system', () => {
  const objects = sftpGateway(pinTestConfig);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  it('may get and exec into pods named sftp-0, and nothing else', () => {
    const [role] = of('ClusterRole');
    expect(role?.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], resourceNames: ['sftp-0'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec'], resourceNames: ['sftp-0'], verbs: ['create', 'get'] },
    ]);
    const [binding] = of('ClusterRoleBinding');
    expect(binding?.subjects).toEqual([
      { kind: 'ServiceAccount', name: SFTP_GATEWAY_SERVICE_ACCOUNT, namespace: 'panel-system' },
    ]);
  });

  it('runs the panel image as `sftp-gateway` behind the public port, keeping client addresses', () => {
    // biome-ignore lint/suspicious/noExplicitAny: reading the rendered manifests the test checks
    const [deployment] = of('Deployment') as any[];
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(pinTestConfig.bootstrap.systemImages.panel);
    expect(container.args).toEqual(['sftp-gateway']);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(SFTP_GATEWAY_SERVICE_ACCOUNT);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    // biome-ignore lint/suspicious/noExplicitAny: reading the rendered manifests the test checks
    const [service] = of('Service') as any[];
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(service.spec.ports).toEqual([{ name: 'ssh', protocol: 'TCP', port: 22, targetPort: 2222 }]);
  });

  it('takes another public port from the config', () => {
    const input = JSON.parse(JSON.stringify(pinTestConfig));
    input.bootstrap.sftp = { port: 2022, serviceType: 'NodePort' };
    // biome-ignore lint/suspicious/noExplicitAny: reading the rendered manifests the test checks
    const service = sftpGateway(parseBootstrapConfig(input)).find((o) => o.kind === 'Service') as any;
    expect(service.spec).toMatchObject({ type: 'NodePort', ports: [{ port: 2022 }] });
  });
});
