import type { CustomerSnapshot } from '../snapshot.ts';
import { effectivePlanLimits, tenantNamespace } from '../snapshot.ts';
import { COMPONENT_LABEL, tenantLabels } from './labels.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** The name of the web container's port in every site pod (site-pod.ts). */
const WEB_PORT_NAME = 'http';

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

/**
 * Never the internet, whatever the platform config says: RFC 1918 and RFC 6598 (carrier-grade NAT)
 * ranges, link-local (the cloud metadata endpoints, 169.254.169.254 and fd00:ec2::254 in fc00::/7),
 * IPv6 unique-local and link-local. The config adds the cluster's and the nodes' own ranges.
 */
export const NEVER_INTERNET_CIDRS = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
  'fe80::/10',
] as const;

/** 0.0.0.0/0 and ::/0 minus the private ranges, the cluster's, the nodes' and the blocked ranges. */
export function internetBlocks(config: TenantPlatformConfig): Record<string, unknown>[] {
  const { clusterCidrs, nodeCidrs, blockedEgressCidrs } = config.network;
  const excluded = [
    ...new Set([...NEVER_INTERNET_CIDRS, ...clusterCidrs, ...nodeCidrs, ...blockedEgressCidrs]),
  ].sort();
  return [
    { cidr: '0.0.0.0/0', except: excluded.filter((cidr) => !cidr.includes(':')) },
    { cidr: '::/0', except: excluded.filter((cidr) => cidr.includes(':')) },
  ].map(({ cidr, except }) => ({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } }));
}

const SMTP_PORT = 25;
const DNS_PORT = 53;

/** Port ranges 1..65535 without the given ports, as NetworkPolicy `port`/`endPort` entries. */
export function portsExcept(protocol: 'TCP' | 'UDP', closed: readonly number[]): Record<string, unknown>[] {
  const ranges: Record<string, unknown>[] = [];
  let start = 1;
  for (const port of [...new Set(closed)].sort((a, b) => a - b)) {
    if (port > start) ranges.push(range(protocol, start, port - 1));
    start = port + 1;
  }
  if (start <= 65535) ranges.push(range(protocol, start, 65535));
  return ranges;
}

function range(protocol: string, from: number, to: number): Record<string, unknown> {
  return from === to ? { port: from, protocol } : { port: from, endPort: to, protocol };
}

/**
 * The ports tenant pods may use toward the internet: everything but DNS (only the cluster resolver
 * answers names, so a pod cannot tunnel through an outside resolver or dodge the platform's view)
 * and, unless the plan opens it (`outboundSmtp`), SMTP: mail leaves through the platform's
 * submission service, where it is authenticated, rate-limited and signed.
 */
export function internetPorts(outboundSmtp: boolean): Record<string, unknown>[] {
  const closedTcp = outboundSmtp ? [DNS_PORT] : [SMTP_PORT, DNS_PORT];
  return [...portsExcept('TCP', closedTcp), ...portsExcept('UDP', [DNS_PORT])];
}

/**
 * Default deny both ways, then narrow openings: the edge to web pods' web port, Prometheus on
 * metrics ports, pods of this namespace to each other (site → its database), DNS to the cluster
 * resolver only, mail submission, and the internet without any private range, the cluster's, the
 * nodes' or the metadata address, without DNS and (unless the plan opens it) without port 25, so no
 * path leads into another tenant or the platform. Standard NetworkPolicy (endPort, named ports):
 * Calico and Cilium enforce it as the local node's controller does (docs/network-policy.md).
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
      // The web container's named port (`http`, whatever number a custom image listens on): the
      // edge reaches the site, not php-fpm or anything else the pod listens on.
      ingress: [
        { from: [fromNamespace(namespaces.ingress)], ports: [{ port: WEB_PORT_NAME, protocol: 'TCP' }] },
      ],
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
      egress: [
        {
          to: internetBlocks(config),
          ports: internetPorts(effectivePlanLimits(snapshot.plan.limits).outboundSmtp),
        },
      ],
    }),
  ];
}
