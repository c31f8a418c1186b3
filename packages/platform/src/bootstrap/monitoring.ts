import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import {
  configMap,
  helmChart,
  MANAGED,
  meta,
  namespace,
  restrictedContainer,
  restrictedPod,
  secret,
  service,
  workload,
} from './common.ts';
import { INGRESS_NAMESPACE } from './ingress.ts';

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
const NAME_LABEL = '__meta_kubernetes_pod_label_app_kubernetes_io_name';
const PORT_NAME = '__meta_kubernetes_pod_container_port_name';

/** A pod-discovery scrape job: the pods of `apps` in `ns`, on their container port named `port`. */
function podJob(job: string, ns: string, apps: string[], port: string) {
  return {
    job_name: job,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [ns] } }],
    relabel_configs: [
      { source_labels: [NAME_LABEL], regex: apps.join('|'), action: 'keep' },
      { source_labels: [PORT_NAME], regex: port, action: 'keep' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: [NAME_LABEL], target_label: 'app' },
    ],
  };
}

/**
 * prometheus.yml of Prometheus alone (pure): the panel's API and worker (`/metrics` on their internal
 * port 9090, which no Service exposes, so pods are discovered) and Traefik's metrics (its internal
 * entry point), and Prometheus itself.
 */
export function prometheusConfigYaml(config: BootstrapConfig): string {
  const steps = config.bootstrap.steps;
  const jobs = [
    { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${PROMETHEUS_PORT}`] }] },
    ...(steps.includes('panel')
      ? [podJob('panel', config.panelIdentity.namespace, ['panel', 'panel-worker'], 'metrics')]
      : []),
    // Traefik's internal entry point (ping and metrics) is its container port named `internal`.
    ...(steps.includes('ingress') ? [podJob('traefik', INGRESS_NAMESPACE, ['traefik'], 'internal')] : []),
  ];
  return stringify(
    { global: { scrape_interval: '15s', evaluation_interval: '15s' }, scrape_configs: jobs },
    { lineWidth: 0 },
  );
}

/**
 * Prometheus alone (`monitoring.mode: prometheus`): the local profile's substitute for the chart.
 * Restricted and non-root; it discovers pods through the API (list/watch pods, cluster-wide as the
 * chart's Prometheus does, nothing else) and keeps `retention` of samples in an emptyDir.
 */
function prometheusAlone(config: BootstrapConfig): KubeObject[] {
  const ns = MONITORING_NAMESPACE;
  const m = config.bootstrap.monitoring;
  const yaml = prometheusConfigYaml(config);
  const role = 'hostplane-prometheus';
  return [
    namespace(ns, 'restricted', 'Prometheus alone: one non-root Deployment, no host access'),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(PROMETHEUS_APP, ns, PROMETHEUS_APP) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role, labels: { ...MANAGED, 'app.kubernetes.io/name': PROMETHEUS_APP } },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role, labels: { ...MANAGED, 'app.kubernetes.io/name': PROMETHEUS_APP } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: PROMETHEUS_APP, namespace: ns }],
    },
    configMap('prometheus-config', ns, PROMETHEUS_APP, { 'prometheus.yml': yaml }),
    workload({
      kind: 'Deployment',
      name: PROMETHEUS_APP,
      ns,
      replicas: 1,
      podSecurity: restrictedPod(PROMETHEUS_UID),
      serviceAccountName: PROMETHEUS_APP,
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
