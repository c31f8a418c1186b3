import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { helmChart, namespace, secret } from './common.ts';

export const MONITORING_NAMESPACE = 'monitoring-system';

/** 6. Prometheus, Grafana, node-exporter, kube-state-metrics (kube-prometheus-stack). */
export function monitoringSystem(config: BootstrapConfig): KubeObject[] {
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
