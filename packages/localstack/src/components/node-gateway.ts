import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { tcpOpen } from '../probes.ts';
import { adminKubeConfig } from './kube-access.ts';
import { REAL_NODE_IP } from './kube-pki.ts';

// The node gateway (real node profile): the host services the platform's own pods need, reachable on
// the node's address 10.88.0.1, which the pod network routes to. In production those systems run in
// the cluster (or as managed services); locally they are the stack's host processes on loopback, so
// each one gets a plain TCP (and for DNS, UDP) relay from <node IP>:<port> to 127.0.0.1:<port>
// (socat). The services keep listening on loopback only, and the address they see is 127.0.0.1, so
// their own access rules (pg_hba, MariaDB hosts, PowerDNS' allow-from) need no change. The in-cluster
// `kubernetes` Service points at the apiserver through the same gateway: an apiserver started under the
// real profile advertises the node IP itself (--advertise-address), and one that was started under kwok
// and kept running when `npm test` switches to the real node (it advertises 127.0.0.1, which may not be
// an endpoint, and reconciles none) gets its endpoint from the EndpointSlice below.

export interface Relay {
  name: string;
  port: number;
  udp?: boolean;
}

/** What the in-cluster panel and Traefik reach on the node (`bootstrap --local`, docs/install.md). */
export function gatewayRelays(ctx: Pick<StackContext, 'ports'>): Relay[] {
  const p = ctx.ports;
  return [
    { name: 'apiserver', port: p.kubeApiserver },
    { name: 'postgres', port: p.postgres },
    { name: 'mariadb', port: p.mariadb },
    { name: 'pdns-api', port: p.pdnsApi },
    { name: 'pdns-dns', port: p.pdnsDns, udp: true },
    { name: 'resolver', port: p.resolver, udp: true },
    { name: 'pebble', port: p.pebble },
    { name: 'doveadm', port: p.doveadmHttp },
    // Velero's node agent and the data movers it spawns write Kopia's repository to the S3 store.
    { name: 's3', port: p.s3 },
  ];
}

/** The S3 endpoint as pods reach it. */
export function podS3Endpoint(ports: StackContext['ports']): string {
  return `http://${REAL_NODE_IP}:${ports.s3}`;
}

/** socat's arguments for one relay (pure, tested). */
export function relayProcesses(relay: Relay, bindAddress = REAL_NODE_IP): ProcessSpec[] {
  const tcp: ProcessSpec = {
    name: `gateway-${relay.name}`,
    command: 'socat',
    args: [
      `TCP4-LISTEN:${relay.port},bind=${bindAddress},reuseaddr,fork`,
      `TCP4:${STACK_HOST}:${relay.port}`,
    ],
  };
  if (!relay.udp) return [tcp];
  return [
    tcp,
    {
      name: `gateway-${relay.name}-udp`,
      command: 'socat',
      args: [
        `UDP4-RECVFROM:${relay.port},bind=${bindAddress},reuseaddr,fork`,
        `UDP4-SENDTO:${STACK_HOST}:${relay.port}`,
      ],
    },
  ];
}

const FIELD_MANAGER = 'hostplane-localstack';

/** The `kubernetes` Service's endpoint on the node gateway (pure, tested). */
export function kubernetesEndpointSlice(ports: StackContext['ports']) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes-node-gateway',
      namespace: 'default',
      labels: {
        'kubernetes.io/service-name': 'kubernetes',
        'endpointslice.kubernetes.io/managed-by': FIELD_MANAGER,
      },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [REAL_NODE_IP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: ports.kubeApiserver, protocol: 'TCP' }],
  };
}

export const nodeGateway: Component = {
  name: 'node-gateway',
  // The bridge carrying the node IP exists once containerd's component prepared it.
  dependsOn: ['containerd', 's3', 'kube-apiserver'],
  async prepare() {},
  processes(ctx) {
    return gatewayRelays(ctx).flatMap((relay) => relayProcesses(relay));
  },
  async healthy(ctx) {
    for (const relay of gatewayRelays(ctx)) if (!(await tcpOpen(REAL_NODE_IP, relay.port))) return false;
    return true;
  },
  async afterHealthy(ctx) {
    await KubernetesObjectApi.makeApiClient(adminKubeConfig(ctx.stateDir)).patch(
      kubernetesEndpointSlice(ctx.ports),
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  },
  address(ctx) {
    return `${REAL_NODE_IP}: ${gatewayRelays(ctx)
      .map((r) => `${r.name} ${r.port}`)
      .join(', ')}`;
  },
};
