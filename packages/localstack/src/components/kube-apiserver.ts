import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { nodeProfile } from '../node-profile.ts';
import { STACK_HOST } from '../ports.ts';
import { adminKubeConfig, apiserverUrl, probeOk, writeKubeconfig } from './kube-access.ts';
import { installCrds } from './kube-crds.ts';
import { registerFakeNode } from './kube-node.ts';
import { ensureKubePki, kubePki, REAL_NODE_IP, SERVICE_CLUSTER_IP_RANGE } from './kube-pki.ts';

/** Added to the apiserver's default admission chain (which already holds most of these): the plugins
 * a real cluster runs, so quota, limits and pod security are enforced for real in tests. */
export const ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'ResourceQuota',
  'PodSecurity',
  'DefaultStorageClass',
  'DefaultTolerationSeconds',
  'Priority',
  'NodeRestriction',
];

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export function kubeApiserverArgs(ctx: StackContext): string[] {
  const pki = kubePki(ctx.stateDir);
  const serving = pki.cert('apiserver');
  const etcdClient = pki.cert('apiserver-etcd-client');
  return [
    'kube-apiserver',
    `--bind-address=${STACK_HOST}`,
    // Under the real node, pods reach the apiserver through the `kubernetes` Service, whose endpoint
    // is the advertised address: the node's, relayed to loopback by the node gateway.
    `--advertise-address=${nodeProfile() === 'real' ? REAL_NODE_IP : STACK_HOST}`,
    `--secure-port=${ctx.ports.kubeApiserver}`,
    `--tls-cert-file=${serving.cert}`,
    `--tls-private-key-file=${serving.key}`,
    `--client-ca-file=${pki.caCert}`,
    `--etcd-servers=https://${STACK_HOST}:${ctx.ports.etcdClient}`,
    `--etcd-cafile=${pki.caCert}`,
    `--etcd-certfile=${etcdClient.cert}`,
    `--etcd-keyfile=${etcdClient.key}`,
    // Aggregation layer, as kubeadm sets it up: the apiserver proxies to extension APIs with the
    // front-proxy client certificate, and every component trusts those identity headers.
    `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.cert('front-proxy-client').cert}`,
    `--proxy-client-key-file=${pki.cert('front-proxy-client').key}`,
    '--authorization-mode=Node,RBAC',
    // The real node's kubelet (logs, exec, port-forward): reached by its InternalIP (its name is not
    // in any resolver), with a client certificate its webhook authn/authz accepts, its serving
    // certificate verified against the stack CA.
    '--kubelet-preferred-address-types=InternalIP',
    `--kubelet-client-certificate=${pki.cert('apiserver-kubelet-client').cert}`,
    `--kubelet-client-key=${pki.cert('apiserver-kubelet-client').key}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    `--enable-admission-plugins=${ADMISSION_PLUGINS.join(',')}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=true',
    // kwok: the only "master" is 127.0.0.1, which an EndpointSlice may not carry, and no pod runs, so
    // no endpoint is kept. Real node: the node's address (node gateway), kept by the lease reconciler.
    `--endpoint-reconciler-type=${nodeProfile() === 'real' ? 'lease' : 'none'}`,
    '--profiling=false',
    '--event-ttl=1h',
  ];
}

/** The repository's generated CRDs (Traefik at the pinned version) first, then ../shared/crds. */
export function crdDirs(repoRoot: string): string[] {
  return [
    path.join(repoRoot, 'packages', 'platform', 'generated', 'crds'),
    path.resolve(repoRoot, '..', 'shared', 'crds'),
  ];
}

export const kubeApiserver: Component = {
  name: 'kube-apiserver',
  dependsOn: ['etcd'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(path.join(ctx.stateDir, 'kube-apiserver'), { recursive: true });
    await writeKubeconfig(ctx.stateDir, 'admin');
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: 'kube-apiserver', command: ctx.binaries.localcluster, args: kubeApiserverArgs(ctx) }];
  },
  healthy(ctx) {
    return probeOk(ctx.stateDir, `${apiserverUrl}/readyz`, /^ok$/, { clientCert: 'admin' });
  },
  async afterHealthy(ctx) {
    const kc = adminKubeConfig(ctx.stateDir);
    await registerFakeNode(kc, nodeProfile());
    await installCrds(kc, crdDirs(ctx.repoRoot), ctx.say);
  },
  address() {
    return apiserverUrl;
  },
};
