import type { Component } from '../component.ts';
import { nodeProfile } from '../node-profile.ts';
import { coredns } from './cluster-dns.ts';
import { containerd } from './containerd.ts';
import { etcd } from './etcd.ts';
import { kubeApiserver } from './kube-apiserver.ts';
import { kubeControllerManager } from './kube-controller-manager.ts';
import { kubeProxy } from './kube-proxy.ts';
import { kubeScheduler } from './kube-scheduler.ts';
import { kubelet } from './kubelet.ts';
import { kwok } from './kwok.ts';
import { localVolumes } from './local-volumes.ts';
import { netpol } from './netpol.ts';
import { nodeGateway } from './node-gateway.ts';

export { kubeconfigPath } from './kube-access.ts';
export { FAKE_NODE_NAME } from './kube-node.ts';

/** The local Kubernetes control plane, in start order (each entry's dependsOn names earlier ones).
 * The admin kubeconfig for `stack env` is `kubeconfigPath(stateDir, 'admin')` = `<stateDir>/kube/admin.kubeconfig`. */
export const controlPlaneComponents: Component[] = [
  etcd,
  kubeApiserver,
  kubeControllerManager,
  kubeScheduler,
  kwok,
  localVolumes,
];

/** The real node (HOSTPLANE_STACK_NODE=real): containerd, the NetworkPolicy controller, kubelet, kube-proxy,
 * cluster DNS, and the gateway that makes the stack's host services reachable from pods on the node's address. */
export const realNodeComponents: Component[] = [containerd, netpol, kubelet, kubeProxy, coredns, nodeGateway];

/** The control plane, plus the real node under the `real` node profile. */
export const kubeComponents: Component[] = [
  ...controlPlaneComponents,
  ...(nodeProfile() === 'real' ? realNodeComponents : []),
];
