import { describe, expect, it } from 'vitest';
import type { StackContext } from '../component.ts';
import { stackPorts } from '../ports.ts';
import { renderKubeconfig } from './kube-access.ts';
import { kubeApiserverArgs } from './kube-apiserver.ts';
import { kubeControllerManagerArgs } from './kube-controller-manager.ts';
import { parseCrdDocuments } from './kube-crds.ts';
import { leafExtensions, leafSubject } from './kube-pki.ts';
import { kwokArgs } from './kwok.ts';

const ctx = {
  stateDir: '/s',
  repoRoot: '/r',
  ports: stackPorts,
  binaries: { localcluster: '/b', versitygw: '/v', traefik: '/t', pebble: '/p', coredns: '/c' },
} as StackContext;

describe('kube component configuration', () => {
  it('runs the apiserver with RBAC, the real admission plugins, service-account keys and TLS etcd', () => {
    const args = kubeApiserverArgs(ctx);
    expect(args[0]).toBe('kube-apiserver');
    expect(args).toContain('--authorization-mode=Node,RBAC');
    expect(args).toContain('--secure-port=16443');
    expect(args).toContain('--etcd-servers=https://127.0.0.1:23790');
    expect(args).toContain('--service-account-signing-key-file=/s/kube/pki/sa.key');
    const admission = args
      .find((arg) => arg.startsWith('--enable-admission-plugins='))
      ?.split('=')[1]
      ?.split(',');
    expect(admission).toEqual(
      expect.arrayContaining([
        'NamespaceLifecycle',
        'LimitRanger',
        'ServiceAccount',
        'ResourceQuota',
        'PodSecurity',
      ]),
    );
  });

  it('signs service-account tokens in the controller-manager with the same key pair', () => {
    const args = kubeControllerManagerArgs(ctx);
    expect(args).toContain('--service-account-private-key-file=/s/kube/pki/sa.key');
    expect(args).toContain('--root-ca-file=/s/kube/pki/ca.crt');
    expect(args).toContain('--secure-port=20257');
  });

  it('has kwok manage exactly the fake node', () => {
    expect(kwokArgs(ctx)).toEqual(expect.arrayContaining(['kwok', '--manage-single-node=hostplane-node']));
  });

  it('renders a kubeconfig that references the client certificate files', () => {
    const text = renderKubeconfig({
      server: 'https://127.0.0.1:16443',
      caCert: '/ca',
      cert: '/c',
      key: '/k',
      user: 'admin',
    });
    expect(text).toContain('server: "https://127.0.0.1:16443"');
    expect(text).toContain('client-certificate: "/c"');
    expect(text).toContain('current-context: hostplane-local');
  });

  it('builds certificate extensions with SANs and usages', () => {
    const server = {
      name: 'x',
      commonName: 'x',
      usage: 'server' as const,
      ips: ['127.0.0.1'],
      dnsNames: ['localhost'],
    };
    expect(leafExtensions(server)).toContain('subjectAltName=IP:127.0.0.1,DNS:localhost');
    expect(leafExtensions(server)).toContain('extendedKeyUsage=serverAuth');
    const admin = {
      name: 'a',
      commonName: 'admin',
      organization: 'system:masters',
      usage: 'client' as const,
    };
    expect(leafExtensions(admin)).not.toContain('subjectAltName');
    expect(leafSubject(admin)).toBe('/O=system:masters/CN=admin');
  });

  it('parses CRD documents and rejects anything else', () => {
    const crd =
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b.c\n';
    expect(parseCrdDocuments(`---\n${crd}---\n${crd}`, 'f').map((doc) => doc.metadata.name)).toEqual([
      'a.b.c',
      'a.b.c',
    ]);
    expect(() =>
      parseCrdDocuments('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', 'f.yaml'),
    ).toThrow(/f.yaml: document 1/);
  });
});
