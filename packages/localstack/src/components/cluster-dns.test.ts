import { describe, expect, it } from 'vitest';
import { programCacheKey } from '../go-program-build.ts';
import { COREDNS_PLUGINS, corednsMain, corednsProgram } from '../go-programs.ts';
import { stackPorts } from '../ports.ts';
import {
  CLUSTER_DNS_IP,
  COREDNS_IMAGE,
  clusterDnsObjects,
  corednsImageRecipe,
  corednsStaticPod,
  renderCorefile,
} from './cluster-dns.ts';

describe('cluster DNS (CoreDNS)', () => {
  it('answers Service names from the apiserver and forwards everything else to the recursor', () => {
    const corefile = renderCorefile({
      listen: '10.88.0.1',
      forward: '127.0.0.1:20054',
      healthAddr: '127.0.0.1:20381',
      readyAddr: '127.0.0.1:20382',
      kubeconfig: '/etc/coredns/kubeconfig',
    }).split('\n');
    expect(corefile[0]).toBe('.:53 {');
    for (const line of [
      '    bind 10.88.0.1',
      '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
      '        kubeconfig /etc/coredns/kubeconfig',
      '    forward . 127.0.0.1:20054',
      '    health 127.0.0.1:20381',
      '    ready 127.0.0.1:20382',
    ]) {
      expect(corefile).toContain(line);
    }
    // Every directive used is linked into the binary.
    const directives = corefile
      .map((l) => l.match(/^ {4}(\w+)/)?.[1])
      .filter((d): d is string => d !== undefined);
    for (const d of directives) expect(COREDNS_PLUGINS).toContain(d);
  });

  it('is a host-network static pod in kube-system labelled k8s-app: kube-dns, selected by the kube-dns Service', () => {
    const pod = corednsStaticPod('/s/node/coredns', { health: 20381, ready: 20382 });
    expect(pod.metadata).toMatchObject({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } });
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.dnsPolicy).toBe('Default');
    const [container] = pod.spec.containers;
    expect(container?.image).toBe(COREDNS_IMAGE);
    expect(container?.imagePullPolicy).toBe('IfNotPresent');
    expect(container?.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(container?.readinessProbe.httpGet).toEqual({ host: '127.0.0.1', port: 20382, path: '/ready' });
    expect(pod.spec.volumes[0]?.hostPath).toEqual({ path: '/s/node/coredns', type: 'Directory' });

    const service = clusterDnsObjects().find((o) => o.kind === 'Service') as {
      metadata: { namespace: string; name: string; labels: Record<string, string> };
      spec: { clusterIP: string; selector: Record<string, string> };
    };
    expect(service.metadata).toMatchObject({ namespace: 'kube-system', name: 'kube-dns' });
    expect(service.metadata.labels['k8s-app']).toBe('kube-dns');
    expect(service.spec.clusterIP).toBe(CLUSTER_DNS_IP);
    expect(service.spec.selector).toEqual({ 'k8s-app': 'kube-dns' });
    expect(CLUSTER_DNS_IP.startsWith('10.96.')).toBe(true);
    expect(stackPorts.corednsHealth).not.toBe(stackPorts.corednsReady);
  });

  it('builds a main package with only the plugins it uses, and the image keeps the upstream name', () => {
    const main = corednsMain();
    expect(main).toContain('"github.com/coredns/coredns/coremain"');
    expect(main).toContain('_ "github.com/coredns/coredns/plugin/kubernetes"');
    expect(main).not.toContain('plugin/route53');
    expect(corednsProgram.files?.['hostplane/coredns/main.go']).toBe(main);
    // The main package is part of the cache key: another plugin list is another build.
    const other = { ...corednsProgram, files: { 'hostplane/coredns/main.go': corednsMain(['forward']) } };
    expect(programCacheKey(other)).not.toBe(programCacheKey(corednsProgram));
    expect(COREDNS_IMAGE).toBe(`registry.k8s.io/coredns/coredns:${corednsProgram.version}`);
    expect(corednsImageRecipe('/c/coredns').config.entrypoint).toEqual(['/coredns']);
  });
});
