// monitoring-system (issue 14): production renders the kube-prometheus-stack HelmChart; the local
// profile's `monitoring.mode: prometheus` renders Prometheus alone (restricted, non-root, probes,
// requests/limits) scraping the panel's and Traefik's metrics ports (DNS discovery) by a rendered config.
import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { renderBootstrap } from './index.ts';
import { pinTestConfig } from './pin-test-config.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests read by the assertions that check them
type Obj = any;

const withMonitoring = (monitoring: object) =>
  parseBootstrapConfig({
    ...structuredClone(pinTestConfig),
    bootstrap: { ...structuredClone(pinTestConfig.bootstrap), monitoring },
  });
const step = (monitoring: object) =>
  renderBootstrap(withMonitoring(monitoring)).find((s) => s.name === 'monitoring')!;
const find = (objects: KubeObject[], kind: string, name: string): Obj =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('monitoring-system', () => {
  it('is the kube-prometheus-stack HelmChart by default (production)', () => {
    const objects = step({}).objects;
    expect(objects.map((o) => o.kind)).toContain('HelmChart');
    expect(objects.some((o) => o.kind === 'Deployment')).toBe(false);
  });

  it('is Prometheus alone in mode prometheus: restricted, non-root, probes, requests and limits', () => {
    const objects = step({ mode: 'prometheus' }).objects;
    expect(objects.some((o) => o.kind === 'HelmChart')).toBe(false);
    const ns = find(objects, 'Namespace', 'monitoring-system');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const deploy = find(objects, 'Deployment', 'prometheus');
    const pod = deploy.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    const [container] = pod.containers;
    expect(container.image).toBe('ghcr.io/hostplane/prometheus:2.42.0-1');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect(container.resources.requests).toMatchObject({ cpu: '100m', memory: '256Mi' });
    expect(container.resources.limits.memory).toBe('1Gi');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 9090 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 9090 });
    expect(container.args).toContain('--storage.tsdb.retention.time=2d');
    expect(find(objects, 'Service', 'prometheus').spec.ports[0].port).toBe(9090);
    // No Kubernetes API rights: targets come from DNS, no token is mounted.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ServiceAccount')).toBe(false);
  });

  it("scrapes the panel's and Traefik's metrics ports by DNS names of headless Services, and rolls on a config change", () => {
    const config = withMonitoring({ mode: 'prometheus' });
    const steps = renderBootstrap(config);
    const objects = steps.find((s) => s.name === 'monitoring')!.objects;
    const yaml = find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml'];
    const jobs = parse(yaml).scrape_configs as Obj[];
    expect(jobs.map((j) => j.job_name)).toEqual(['prometheus', 'panel', 'traefik']);
    const panel = jobs.find((j) => j.job_name === 'panel');
    expect(panel.dns_sd_configs.map((d: Obj) => [d.names[0], d.port])).toEqual([
      ['panel-metrics.panel-system.svc.cluster.local', 9090],
      ['panel-worker-metrics.panel-system.svc.cluster.local', 9090],
    ]);
    expect(panel.relabel_configs[0]).toEqual({
      source_labels: ['__meta_dns_name'],
      regex: 'panel-metrics\\.panel-system\\..*',
      target_label: 'app',
      replacement: 'panel',
    });
    const traefik = jobs.find((j) => j.job_name === 'traefik');
    expect(traefik.dns_sd_configs[0]).toMatchObject({
      names: ['traefik-metrics.ingress-system.svc.cluster.local'],
      port: 9100,
    });
    // The headless Services come with the scraped namespaces' steps, selecting the pods that listen.
    const panelStep = steps.find((s) => s.name === 'panel')!;
    for (const app of ['panel', 'panel-worker']) {
      const svc = find(panelStep.objects, 'Service', `${app}-metrics`);
      expect(svc.spec).toMatchObject({ clusterIP: 'None', selector: { 'app.kubernetes.io/name': app } });
      const container = find(panelStep.objects, 'Deployment', app).spec.template.spec.containers[0];
      expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9090 });
    }
    const ingress = steps.find((s) => s.name === 'ingress')!;
    expect(find(ingress.objects, 'Service', 'traefik-metrics').spec.ports[0].port).toBe(9100);
    const traefikPorts = find(ingress.objects, 'Deployment', 'traefik').spec.template.spec.containers[0]
      .ports;
    expect(traefikPorts).toContainEqual({ name: 'internal', containerPort: 9100 });
    // Production (the chart) renders none of them.
    const chart = renderBootstrap(withMonitoring({}));
    expect(
      chart
        .flatMap((s) => s.objects)
        .some((o) => o.kind === 'Service' && o.metadata.name.endsWith('-metrics')),
    ).toBe(false);
    const hash = (o: Obj[]) => find(o, 'Deployment', 'prometheus').spec.template.metadata.annotations;
    const other = step({ mode: 'prometheus', retention: '1w' }).objects;
    expect(hash(other)).toEqual(hash(objects)); // retention is an argument, not the config file
    const shorter = renderBootstrap(
      parseBootstrapConfig({
        ...structuredClone(pinTestConfig),
        bootstrap: {
          ...structuredClone(pinTestConfig.bootstrap),
          steps: ['monitoring', 'panel'],
          monitoring: { mode: 'prometheus' },
        },
      }),
    ).find((s) => s.name === 'monitoring')!.objects;
    expect(hash(shorter)).not.toEqual(hash(objects));
  });

  it('refuses a retention that is not a duration (the field is named)', () => {
    expect(() => withMonitoring({ mode: 'prometheus', retention: 'forever' })).toThrow(
      /bootstrap\.monitoring\.retention/,
    );
  });
});
