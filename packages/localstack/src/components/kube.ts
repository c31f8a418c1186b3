import type { Component } from '../component.ts';
import { etcd } from './etcd.ts';
import { kubeApiserver } from './kube-apiserver.ts';
import { kubeControllerManager } from './kube-controller-manager.ts';
import { kubeScheduler } from './kube-scheduler.ts';
import { kwok } from './kwok.ts';

export { kubeconfigPath } from './kube-access.ts';
export { FAKE_NODE_NAME } from './kube-node.ts';

/** The local Kubernetes control plane, in start order (each entry's dependsOn names earlier ones).
 * The admin kubeconfig for `stack env` is `kubeconfigPath(stateDir, 'admin')` = `<stateDir>/kube/admin.kubeconfig`. */
export const kubeComponents: Component[] = [etcd, kubeApiserver, kubeControllerManager, kubeScheduler, kwok];
