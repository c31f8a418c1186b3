import type { CustomerSnapshot } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { COMPONENT_LABEL, tenantLabels } from './labels.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function policy(snapshot: CustomerSnapshot, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: tenantNamespace(snapshot.id), labels: tenantLabels(snapshot.id) },
    spec,
  };
}

function fromNamespace(name: string): Record<string, unknown> {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } };
}

/** 0.0.0.0/0 and ::/0 minus the cluster's, the nodes' and the blocked ranges (metadata endpoints). */
export function internetBlocks(config: TenantPlatformConfig): Record<string, unknown>[] {
  const { clusterCidrs, nodeCidrs, blockedEgressCidrs } = config.network;
  const excluded = [...new Set([...clusterCidrs, ...nodeCidrs, ...blockedEgressCidrs])].sort();
  return [
    { cidr: '0.0.0.0/0', except: excluded.filter((cidr) => !cidr.includes(':')) },
    { cidr: '::/0', except: excluded.filter((cidr) => cidr.includes(':')) },
  ].map(({ cidr, except }) => ({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } }));
}

/**
 * Default deny both ways, then narrow openings: Traefik to web pods, Prometheus on metrics ports,
 * pods of this namespace to each other (site → its database), DNS, mail submission, and the
 * internet without any private range of the cluster, so no path leads into another tenant.
 */
export function networkPolicies(snapshot: CustomerSnapshot, config: TenantPlatformConfig): KubeObject[] {
  const all = {};
  const { namespaces, clusterDns } = config;
  return [
    policy(snapshot, 'default-deny', { podSelector: all, policyTypes: ['Ingress', 'Egress'] }),
    policy(snapshot, 'allow-same-namespace', {
      podSelector: all,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: all }] }],
      egress: [{ to: [{ podSelector: all }] }],
    }),
    policy(snapshot, 'allow-from-ingress', {
      podSelector: { matchLabels: { [COMPONENT_LABEL]: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [fromNamespace(namespaces.ingress)] }],
    }),
    policy(snapshot, 'allow-from-monitoring', {
      podSelector: all,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [fromNamespace(namespaces.monitoring)],
          ports: [...config.metricsPorts].sort((a, b) => a - b).map((port) => ({ port, protocol: 'TCP' })),
        },
      ],
    }),
    policy(snapshot, 'allow-dns', {
      podSelector: all,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { ...fromNamespace(clusterDns.namespace), podSelector: { matchLabels: clusterDns.podLabels } },
          ],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
    }),
    policy(snapshot, 'allow-mail-submission', {
      podSelector: all,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [fromNamespace(namespaces.mail)],
          ports: [{ port: config.mailSubmissionPort, protocol: 'TCP' }],
        },
      ],
    }),
    policy(snapshot, 'allow-internet', {
      podSelector: all,
      policyTypes: ['Egress'],
      egress: [{ to: internetBlocks(config) }],
    }),
  ];
}
