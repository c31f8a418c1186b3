import net from 'node:net';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { adminKubeConfig } from './kube-access.ts';
import { REAL_NODE_IP } from './kube-pki.ts';

// Pods reach the host services they need through the node's address (DESIGN.md §9 "Where things run
// locally"): the apiserver and the S3 store listen on 127.0.0.1 only, so one relay each (socat, the
// bytes untouched: TLS stays end to end) listens on the node IP at the same port. The in-cluster
// `kubernetes` Service gets its endpoint there (the apiserver runs with --endpoint-reconciler-type=none,
// as 127.0.0.1 may not be an endpoint), so a pod's in-cluster configuration works: Velero's node agent
// and the data-mover pods it spawns talk to the API and write Kopia's repository to S3.

const NAME = 'pod-access';
const FIELD_MANAGER = 'hostplane-localstack';

/** What the relays expose on the node IP (pure, tested). */
export function podAccessRelays(ports: StackContext['ports']): { name: string; port: number }[] {
  return [
    { name: 'apiserver', port: ports.kubeApiserver },
    { name: 's3', port: ports.s3 },
  ];
}

/** The S3 endpoint as pods reach it. */
export function podS3Endpoint(ports: StackContext['ports']): string {
  return `http://${REAL_NODE_IP}:${ports.s3}`;
}

/** The `kubernetes` Service's endpoint: the apiserver relay on the node IP. */
export function kubernetesEndpointSlice(ports: StackContext['ports']) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
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

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export const podAccess: Component = {
  name: NAME,
  // The node's bridge (its IP) exists once containerd's component made it.
  dependsOn: ['kube-apiserver', 's3', 'containerd'],
  async prepare() {},
  processes(ctx): ProcessSpec[] {
    return podAccessRelays(ctx.ports).map(({ name, port }) => ({
      name: `${NAME}-${name}`,
      command: 'socat',
      args: [`TCP-LISTEN:${port},bind=${REAL_NODE_IP},reuseaddr,fork`, `TCP:${STACK_HOST}:${port}`],
    }));
  },
  async healthy(ctx) {
    const relays = podAccessRelays(ctx.ports);
    return (await Promise.all(relays.map(({ port }) => connects(REAL_NODE_IP, port)))).every(Boolean);
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
    return podAccessRelays(ctx.ports)
      .map(({ name, port }) => `${name} ${REAL_NODE_IP}:${port}`)
      .join(', ');
  },
};
