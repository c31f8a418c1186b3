import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { hostsOnResolver } from './certificate-attempts.ts';

const ingress = (name: string, hosts: string[], tls: boolean): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'cust-1', labels: {} },
  spec: {
    rules: hosts.map((host) => ({ host })),
    ...(tls ? { tls: [{ hosts }] } : {}),
  },
});

describe('hostsOnResolver', () => {
  it('lists the hosts of Ingresses with TLS, wildcard hosts (DNS-01) included, once each and sorted', () => {
    const desired = [
      ingress('web', ['www.example.com', 'example.com'], true),
      ingress('web-wildcard', ['*.example.com'], true),
      ingress('web-redirect', ['www.example.com', 'example.com', '*.example.com'], false),
      ingress('web-http', ['late.example.org'], false),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'cust-1', labels: {} },
        spec: { tls: [{ hosts: ['x'] }] },
      },
    ];
    expect(hostsOnResolver(desired)).toEqual(['*.example.com', 'example.com', 'www.example.com']);
  });
});
