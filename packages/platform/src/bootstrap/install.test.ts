// The install-related rendering (issue 14): steps, systems outside the cluster, the edge on hostPorts,
// the panel's platform config, web Deployment and Ingress, resources and probes on every container.
import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { parsePlatformConfig } from '../config/schema.ts';
import { renderBootstrap } from './index.ts';
import { pinTestConfig } from './pin-test-config.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests read by the assertions that check them
type Obj = any;

const local = parseBootstrapConfig({
  ...structuredClone(pinTestConfig),
  publicAddresses: { ipv4: ['127.0.0.1'] },
  bootstrap: {
    ...structuredClone(pinTestConfig.bootstrap),
    steps: ['ingress', 'panel'],
    panelReplicas: 1,
    edge: { serviceType: 'ClusterIP', hostPorts: { web: 20080, websecure: 20443 } },
    hostAliases: [{ ip: '10.88.0.1', hostnames: ['pebble'] }],
    external: {
      panelDatabaseUrl: 'postgres://u:p@10.88.0.1:25432/hostplane',
      mailDatabaseUrl: 'mysql://m:p@10.88.0.1:23306/mail',
      pdnsApiUrl: 'http://10.88.0.1:28081',
      pdnsDnsAddr: '10.88.0.1:20053',
      resolverAddr: '10.88.0.1:20054',
    },
  },
});

const find = (objects: KubeObject[], kind: string, name: string): Obj =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const envOf = (container: Obj) =>
  Object.fromEntries(
    (container.env as Obj[]).map((e) => [e.name, e.value ?? `secret:${e.valueFrom?.secretKeyRef?.name}`]),
  );

describe('bootstrap for an install with systems outside the cluster', () => {
  const steps = renderBootstrap(local);
  const ingress = steps.find((s) => s.name === 'ingress')!.objects;
  const panel = steps.find((s) => s.name === 'panel')!.objects;

  it('renders only the chosen steps, keeping the order numbers of DESIGN.md §1', () => {
    expect(steps.map((s) => s.file)).toEqual(['04-ingress-system.yaml', '07-panel-system.yaml']);
  });

  it('binds the edge on hostPorts (Pod Security privileged, said why) and skips the mail routes', () => {
    const ns: Obj = find(ingress, 'Namespace', 'ingress-system');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['hostplane.io/pod-security-reason']).toMatch(/hostPorts/);
    const deploy: Obj = find(ingress, 'Deployment', 'traefik');
    const ports = deploy.spec.template.spec.containers[0].ports as Obj[];
    expect(ports.find((p) => p.name === 'web').hostPort).toBe(20080);
    expect(ports.find((p) => p.name === 'websecure').hostPort).toBe(20443);
    expect(deploy.spec.template.spec.hostAliases).toEqual([{ ip: '10.88.0.1', hostnames: ['pebble'] }]);
    expect(deploy.spec.template.spec.containers[0].securityContext.capabilities.drop).toEqual(['ALL']);
    expect(find(ingress, 'Service', 'traefik').spec.type).toBe('ClusterIP');
    expect(ingress.some((o) => o.kind === 'IngressRouteTCP')).toBe(false);
  });

  it('binds the chosen mail entry points on hostPorts too (edge.hostPorts.mail), the others stay in the pod', () => {
    const withMail = parseBootstrapConfig({
      ...structuredClone(pinTestConfig),
      bootstrap: {
        ...structuredClone(pinTestConfig.bootstrap),
        edge: {
          serviceType: 'ClusterIP',
          hostPorts: { web: 20080, websecure: 20443, mail: { smtp: 25, imaps: 993 } },
        },
      },
    });
    const objects = renderBootstrap(withMail).find((s) => s.name === 'ingress')!.objects;
    const ports = find(objects, 'Deployment', 'traefik').spec.template.spec.containers[0].ports as Obj[];
    expect(ports.filter((p) => p.hostPort).map((p) => [p.name, p.containerPort, p.hostPort])).toEqual([
      ['web', 8000, 20080],
      ['websecure', 8443, 20443],
      ['smtp', 2525, 25],
      ['imaps', 1993, 993],
    ]);
    // The routes carry them on to Postfix and Dovecot with a PROXY v2 header.
    expect(find(objects, 'IngressRouteTCP', 'smtp').spec.routes[0].services[0]).toMatchObject({
      name: 'postfix',
      port: 25,
      serversTransport: 'proxy-protocol',
    });
  });

  it('refuses a mail hostPort outside 1-65535 or for an unknown entry point, naming the field', () => {
    const bad = (mail: unknown) =>
      parseBootstrapConfig({
        ...structuredClone(pinTestConfig),
        bootstrap: {
          ...structuredClone(pinTestConfig.bootstrap),
          edge: { serviceType: 'ClusterIP', hostPorts: { web: 80, websecure: 443, mail } },
        },
      });
    expect(() => bad({ smtp: 70_000 })).toThrow(/hostPorts\.mail\.smtp|smtp/);
    expect(() => bad({ smpt: 25 })).toThrow(/smpt/);
    expect(() => bad({ smtp: 25 })).not.toThrow();
  });

  it('stays restricted behind a LoadBalancer by default', () => {
    const production = renderBootstrap(pinTestConfig).find((s) => s.name === 'ingress')!.objects;
    expect(
      find(production, 'Namespace', 'ingress-system').metadata.labels['pod-security.kubernetes.io/enforce'],
    ).toBe('restricted');
    expect(find(production, 'Service', 'traefik').spec.type).toBe('LoadBalancer');
  });

  it('uses the external systems instead of in-cluster ones (no panel-db), credentials only in Secrets', () => {
    expect(find(panel, 'StatefulSet', 'panel-db')).toBeUndefined();
    const apiEnv: Obj = find(panel, 'Secret', 'panel-env');
    expect(Buffer.from(apiEnv.data.DATABASE_URL, 'base64').toString()).toBe(
      'postgres://u:p@10.88.0.1:25432/hostplane',
    );
    const worker: Obj = find(panel, 'Deployment', 'panel-worker').spec.template.spec.containers[0];
    expect(envOf(worker)).toMatchObject({
      PDNS_API_URL: 'http://10.88.0.1:28081',
      PDNS_DNS_ADDR: '10.88.0.1:20053',
      DNS_RESOLVER_ADDR: '10.88.0.1:20054',
      MAIL_DATABASE_URL: 'secret:panel-worker-env',
      PLATFORM_CONFIG: '/etc/hostplane/platform.yaml',
    });
    for (const c of panel.filter((o) => o.kind === 'ConfigMap') as Obj[])
      expect(JSON.stringify(c.data)).not.toContain('u:p@');
  });

  it('gives the panel its platform config as a ConfigMap the panel parses back to the same config', () => {
    const cm: Obj = find(panel, 'ConfigMap', 'platform-config');
    const parsed = parsePlatformConfig(parse(cm.data['platform.yaml']));
    expect(parsed.publicAddresses.ipv4).toEqual(['127.0.0.1']);
    expect(parsed.dns.nameservers).toEqual(local.dns.nameservers);
    expect(cm.data['platform.yaml']).not.toContain('secrets');
  });

  it('serves /api from the API and the rest from the web Deployment on the panel host', () => {
    const ing: Obj = find(panel, 'Ingress', 'panel');
    const paths = ing.spec.rules[0].http.paths.map((p: Obj) => [p.path, p.backend.service.name]);
    expect(paths).toEqual([
      ['/api', 'panel'],
      ['/', 'web'],
    ]);
    const web: Obj = find(panel, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(web.image).toBe('ghcr.io/hostplane/web:0.1.0');
    expect(envOf(web).HOSTPLANE_API_URL).toBe('http://$(PANEL_SERVICE_HOST):$(PANEL_SERVICE_PORT)');
  });

  it('has requests, a memory limit and probes on every container it renders, and PDBs above one replica', () => {
    for (const step of renderBootstrap({ ...local, bootstrap: { ...local.bootstrap, panelReplicas: 2 } })) {
      for (const w of step.objects.filter(
        (o) => o.kind === 'Deployment' || o.kind === 'StatefulSet',
      ) as Obj[]) {
        for (const c of w.spec.template.spec.containers as Obj[]) {
          expect(c.resources?.requests?.cpu, `${w.metadata.name}/${c.name}`).toBeTruthy();
          expect(c.resources?.limits?.memory, `${w.metadata.name}/${c.name}`).toBeTruthy();
          expect(c.readinessProbe, `${w.metadata.name}/${c.name}`).toBeTruthy();
          expect(c.livenessProbe, `${w.metadata.name}/${c.name}`).toBeTruthy();
        }
      }
      if (step.name === 'panel') {
        const pdbs = step.objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name);
        expect(pdbs.sort()).toEqual(['panel', 'panel-worker', 'web']);
      }
    }
  });

  it('refuses a bad external URL, naming the field', () => {
    expect(() =>
      parseBootstrapConfig({
        ...structuredClone(pinTestConfig),
        bootstrap: {
          ...structuredClone(pinTestConfig.bootstrap),
          external: { panelDatabaseUrl: 'http://x' },
        },
      }),
    ).toThrow(/bootstrap\.external\.panelDatabaseUrl/);
  });
});
