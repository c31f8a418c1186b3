import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { nodeBinary } from './containerd.ts';
import { adminKubeConfig, kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki } from './kube-pki.ts';
import { REAL_NODE_NAME } from './node-config.ts';

// The real node's NetworkPolicy enforcement: `localcluster netpol` (tools/localcluster/netpol),
// informers + iptables in the node's network namespace, beside kube-proxy. docs/network-policy.md
// says which NetworkPolicy features it covers and which it refuses.

const NAME = 'netpol';
const FIELD_MANAGER = 'hostplane-localstack';
const run = promisify(execFile);
/** The user of the controller's client certificate (kube-pki.ts), bound to read-only rights. */
export const NETPOL_USER = 'hostplane:netpol';

/** What the controller may do: read pods, namespaces and NetworkPolicies, nothing else (pure). */
export function netpolRbac(): Record<string, unknown>[] {
  const meta = { name: NETPOL_USER, labels: { 'app.kubernetes.io/managed-by': 'hostplane' } };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta,
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NETPOL_USER },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: NETPOL_USER }],
    },
  ];
}

export function netpolArgs(ctx: Pick<StackContext, 'stateDir' | 'ports'>): string[] {
  return [
    NAME,
    `--kubeconfig=${kubeconfigPath(ctx.stateDir, NAME)}`,
    `--node-name=${REAL_NODE_NAME}`,
    `--healthz-bind-address=${STACK_HOST}:${ctx.ports.netpolHealthz}`,
  ];
}

export const netpol: Component = {
  name: NAME,
  // Before the kubelet (which depends on it): no pod of the node runs unenforced after a restart.
  dependsOn: ['containerd', 'kube-apiserver'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await writeKubeconfig(ctx.stateDir, NAME);
    // The rights before the process: its informers need them for the first sync (the apiserver is up).
    const api = KubernetesObjectApi.makeApiClient(adminKubeConfig(ctx.stateDir));
    for (const object of netpolRbac()) {
      await api.patch(
        object as never,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
    }
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: NAME, command: ctx.binaries.localcluster, args: netpolArgs(ctx) }];
  },
  async healthy(ctx) {
    return probeOk(ctx.stateDir, `http://${STACK_HOST}:${ctx.ports.netpolHealthz}/healthz`, /^ok$/);
  },
  async afterStop(ctx) {
    // While the controller is down its chains keep enforcing; `stack down` removes them with the node.
    await run(nodeBinary(ctx.stateDir), [NAME, '--cleanup'], { timeout: 60_000 });
  },
  address(ctx) {
    return `iptables (status http://${STACK_HOST}:${ctx.ports.netpolHealthz}/status)`;
  },
};
