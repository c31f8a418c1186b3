import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import {
  configMap,
  helmChart,
  namespace,
  restrictedContainer,
  restrictedPod,
  secret,
  service,
  workload,
} from './common.ts';
import { INGRESS_NAMESPACE, INTERNAL_PORT } from './ingress.ts';

export const MONITORING_NAMESPACE = 'monitoring-system';

/** 6. Prometheus, Grafana, node-exporter, kube-state-metrics (kube-prometheus-stack), or Prometheus alone. */
export function monitoringSystem(config: BootstrapConfig): KubeObject[] {
  return config.bootstrap.monitoring.mode === 'prometheus'
    ? prometheusAlone(config)
    : kubePrometheusStack(config);
}

function kubePrometheusStack(config: BootstrapConfig): KubeObject[] {
  const values = {
    grafana: {
      admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
      persistence: { enabled: true, storageClassName: config.storage.storageClass, size: '2Gi' },
    },
    prometheus: {
      prometheusSpec: {
        retention: '15d',
        // Pick up ServiceMonitors of every namespace, not only the chart's own.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: config.storage.storageClass,
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '20Gi' } },
            },
          },
        },
      },
    },
    nodeExporter: { enabled: true },
    kubeStateMetrics: { enabled: true },
  };
  return [
    namespace(
      MONITORING_NAMESPACE,
      'privileged',
      'node-exporter uses hostNetwork, hostPID and hostPath to read node metrics',
    ),
    secret('grafana-admin', MONITORING_NAMESPACE, 'grafana', {
      'admin-user': 'admin',
      'admin-password': config.bootstrap.secrets.grafanaAdminPassword,
    }),
    helmChart(
      'kube-prometheus-stack',
      MONITORING_NAMESPACE,
      config.bootstrap.charts.kubePrometheusStack,
      stringify(values),
    ),
  ];
}

export const PROMETHEUS_APP = 'prometheus';
export const PROMETHEUS_PORT = 9090;
/** `nobody`, as the upstream prom/prometheus image (and our Debian build) runs. */
const PROMETHEUS_UID = 65534;
/**
 * What Prometheus alone scrapes: the panel's API and worker (`/metrics` on their internal port 9090,
 * which no Service exposes to the edge) and Traefik (its internal entry point: ping and metrics). Each
 * gets a headless Service in its own namespace (rendered by that namespace's step), whose DNS name
 * lists the ready pods: Debian's Prometheus is built without Kubernetes discovery, DNS discovery is
 * what it has (and a headless Service is what kube-prometheus-stack's ServiceMonitors would select).
 */
function scrapeTargets(config: BootstrapConfig) {
  const steps = config.bootstrap.steps;
  const panelNs = config.panelIdentity.namespace;
  return [
    ...(steps.includes('panel')
      ? [
          { job: 'panel', app: 'panel', ns: panelNs, port: 9090 },
          { job: 'panel', app: 'panel-worker', ns: panelNs, port: 9090 },
        ]
      : []),
    ...(steps.includes('ingress')
      ? [{ job: 'traefik', app: 'traefik', ns: INGRESS_NAMESPACE, port: INTERNAL_PORT }]
      : []),
  ];
}

const metricsService = (app: string) => `${app}-metrics`;

/** The headless metrics Services of namespace `ns` (Prometheus alone only; empty otherwise). */
export function scrapeServices(config: BootstrapConfig, ns: string): KubeObject[] {
  if (!config.bootstrap.steps.includes('monitoring') || config.bootstrap.monitoring.mode !== 'prometheus')
    return [];
  return scrapeTargets(config)
    .filter((t) => t.ns === ns)
    .map((t) =>
      service(
        metricsService(t.app),
        ns,
        t.app,
        [{ name: 'metrics', port: t.port, targetPort: t.port }],
        true,
      ),
    );
}

/** prometheus.yml of Prometheus alone (pure): one DNS-discovered job per scraped app, and itself. */
export function prometheusConfigYaml(config: BootstrapConfig): string {
  const targets = scrapeTargets(config);
  const jobs = [
    { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${PROMETHEUS_PORT}`] }] },
    ...[...new Set(targets.map((t) => t.job))].map((job) => ({
      job_name: job,
      // One discovery per app: its label comes from which name answered.
      dns_sd_configs: targets
        .filter((t) => t.job === job)
        .map((t) => ({
          names: [`${metricsService(t.app)}.${t.ns}.svc.${config.clusterDomain}`],
          type: 'A',
          port: t.port,
          refresh_interval: '15s',
        })),
      relabel_configs: targets
        .filter((t) => t.job === job)
        .flatMap((t) => {
          const name = `${metricsService(t.app)}\\.${t.ns}\\..*`;
          return [
            { source_labels: ['__meta_dns_name'], regex: name, target_label: 'app', replacement: t.app },
            { source_labels: ['__meta_dns_name'], regex: name, target_label: 'namespace', replacement: t.ns },
          ];
        }),
    })),
  ];
  return stringify(
    { global: { scrape_interval: '15s', evaluation_interval: '15s' }, scrape_configs: jobs },
    { lineWidth: 0 },
  );
}

/**
 * Prometheus alone (`monitoring.mode: prometheus`): the local profile's substitute for the chart.
 * Restricted and non-root; it finds its targets by DNS (no Kubernetes API rights: no ServiceAccount
 * token is mounted) and keeps `retention` of samples in an emptyDir.
 */
function prometheusAlone(config: BootstrapConfig): KubeObject[] {
  const ns = MONITORING_NAMESPACE;
  const m = config.bootstrap.monitoring;
  const yaml = prometheusConfigYaml(config);
  return [
    namespace(ns, 'restricted', 'Prometheus alone: one non-root Deployment, no host access'),
    configMap('prometheus-config', ns, PROMETHEUS_APP, { 'prometheus.yml': yaml }),
    workload({
      kind: 'Deployment',
      name: PROMETHEUS_APP,
      ns,
      replicas: 1,
      podSecurity: restrictedPod(PROMETHEUS_UID),
      configHash: createHash('sha256').update(yaml).digest('hex').slice(0, 16),
      containers: [
        {
          name: PROMETHEUS_APP,
          image: config.bootstrap.systemImages.prometheus,
          imagePullPolicy: 'IfNotPresent',
          args: [
            '--config.file=/etc/prometheus/prometheus.yml',
            '--storage.tsdb.path=/prometheus',
            `--storage.tsdb.retention.time=${m.retention}`,
            `--web.listen-address=:${PROMETHEUS_PORT}`,
          ],
          ports: [{ name: 'http', containerPort: PROMETHEUS_PORT }],
          securityContext: restrictedContainer,
          resources: m.resources,
          readinessProbe: { httpGet: { path: '/-/ready', port: PROMETHEUS_PORT }, periodSeconds: 5 },
          livenessProbe: {
            httpGet: { path: '/-/healthy', port: PROMETHEUS_PORT },
            periodSeconds: 20,
            failureThreshold: 6,
          },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
            { name: 'data', mountPath: '/prometheus' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'prometheus-config' } },
        { name: 'data', emptyDir: { sizeLimit: '2Gi' } },
      ],
    }),
    service(PROMETHEUS_APP, ns, PROMETHEUS_APP, [
      { name: 'http', port: PROMETHEUS_PORT, targetPort: PROMETHEUS_PORT },
    ]),
  ];
}
