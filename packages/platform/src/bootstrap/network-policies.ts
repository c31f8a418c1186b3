// The system namespaces' NetworkPolicies: who may reach the platform's own data and control
// services. Standard NetworkPolicy (Calico and Cilium enforce it; the local node's controller too,
// docs/network-policy.md). Ingress only: tenants' egress is fenced by their own policies
// (@hostplane/domain network-policies.ts), and each system service names exactly who reaches it.
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { BACKUP_NAMESPACE } from './backup.ts';
import { MANAGED } from './common.ts';
import { DNS_NAMESPACE } from './dns.ts';
import { INGRESS_NAMESPACE } from './ingress.ts';
import { MAIL_NAMESPACE } from './mail.ts';
import { MONITORING_NAMESPACE } from './monitoring.ts';

const NAME_LABEL = 'app.kubernetes.io/name';
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
/** The panel's API and worker (deploy/panel, deploy/panel-worker). */
export const PANEL_APPS = ['panel', 'panel-worker'] as const;
/** The platform backup CronJob (backup-system): it dumps the panel's, the mail and the PowerDNS DB. */
const PLATFORM_BACKUP_APP = 'platform-backup';
const PDNS_API_PORT = 8081;
const PDNS_DNS_PORT = 1053;
const PANEL_HTTP_PORT = 8080;
const PANEL_METRICS_PORT = 9090;

type Peer = Record<string, unknown>;
const tcp = (port: number) => ({ protocol: 'TCP', port });
const inNamespace = (ns: string, podSelector: Record<string, unknown> = {}): Peer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: ns } },
  podSelector,
});
const apps = (...names: string[]) => ({
  matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: [...names].sort() }],
});

function ingressPolicy(
  name: string,
  ns: string,
  app: string,
  ingress: { from?: Peer[]; ports: Record<string, unknown>[] }[],
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: { ...MANAGED, [NAME_LABEL]: app } },
    spec: { podSelector: { matchLabels: { [NAME_LABEL]: app } }, policyTypes: ['Ingress'], ingress },
  };
}

/** The NetworkPolicies of one system namespace (empty for namespaces that have none). */
export function systemNetworkPolicies(config: BootstrapConfig, ns: string): KubeObject[] {
  const panelNs = config.panelIdentity.namespace;
  const panel = inNamespace(panelNs, apps(...PANEL_APPS));
  const backup = inNamespace(BACKUP_NAMESPACE, { matchLabels: { [NAME_LABEL]: PLATFORM_BACKUP_APP } });
  const policies: KubeObject[] = [];
  if (ns === DNS_NAMESPACE) {
    policies.push(
      // The API (zones, records, keys) from the panel only; DNS itself is public.
      ingressPolicy('pdns-api-from-panel', ns, 'pdns', [
        { from: [panel], ports: [tcp(PDNS_API_PORT)] },
        { ports: [tcp(PDNS_DNS_PORT), { protocol: 'UDP', port: PDNS_DNS_PORT }] },
      ]),
      ingressPolicy('pdns-db-from-pdns', ns, 'pdns-db', [
        { from: [inNamespace(ns, { matchLabels: { [NAME_LABEL]: 'pdns' } }), backup], ports: [tcp(3306)] },
      ]),
    );
  }
  if (ns === MAIL_NAMESPACE) {
    policies.push(
      ingressPolicy('mail-db-from-mail-and-panel', ns, 'mail-db', [
        { from: [inNamespace(ns), panel, backup], ports: [tcp(3306)] },
      ]),
    );
  }
  if (ns === panelNs) {
    policies.push(
      ingressPolicy('panel-db-from-panel', ns, 'panel-db', [{ from: [panel, backup], ports: [tcp(5432)] }]),
      // The API through the edge only; /metrics and /readyz (their own port) for Prometheus.
      ingressPolicy('panel-from-edge', ns, 'panel', [
        { from: [inNamespace(INGRESS_NAMESPACE)], ports: [tcp(PANEL_HTTP_PORT)] },
        { from: [inNamespace(MONITORING_NAMESPACE)], ports: [tcp(PANEL_METRICS_PORT)] },
      ]),
      ingressPolicy('panel-worker-metrics', ns, 'panel-worker', [
        { from: [inNamespace(MONITORING_NAMESPACE)], ports: [tcp(PANEL_METRICS_PORT)] },
      ]),
    );
    if (config.suspendedPage.namespace === panelNs) {
      policies.push(
        ingressPolicy('suspended-page-from-edge', ns, config.suspendedPage.service, [
          { from: [inNamespace(INGRESS_NAMESPACE)], ports: [tcp(8080)] },
        ]),
      );
    }
  }
  return policies;
}
