import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki, kubePki, SERVICE_CLUSTER_IP_RANGE } from './kube-pki.ts';

const NAME = 'kube-controller-manager';
const healthzUrl = (ctx: StackContext): string =>
  `https://${STACK_HOST}:${ctx.ports.kubeControllerManager}/healthz`;

export function kubeControllerManagerArgs(ctx: StackContext): string[] {
  const pki = kubePki(ctx.stateDir);
  const kubeconfig = kubeconfigPath(ctx.stateDir, NAME);
  return [
    NAME,
    `--kubeconfig=${kubeconfig}`,
    // Delegated authn/authz of its own /metrics and /healthz endpoints, as kubeadm wires it.
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${STACK_HOST}`,
    `--secure-port=${ctx.ports.kubeControllerManager}`,
    `--cert-dir=${path.join(ctx.stateDir, NAME, 'certs')}`,
    `--client-ca-file=${pki.caCert}`,
    // Every built-in controller (namespace deletion, deployment, replicaset, resourcequota,
    // garbagecollector, serviceaccount-token, …) plus the token signers kubeadm also turns on.
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // A new claim's provisioning starts when the PV controller annotates it; that write often loses a
    // conflict with the PVC-protection controller's status update of the same new claim, and the PV
    // controller tries again only at its next resync of every claim (default 15 s): a site waited 6–15 s
    // for its volume (bench:sites). Every 2 s on the stack's few claims costs nothing measurable.
    '--pvclaimbinder-sync-period=2s',
    // A single instance: no leader election, no lease writes every 2 s.
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export const kubeControllerManager: Component = {
  name: NAME,
  dependsOn: ['kube-apiserver'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(path.join(ctx.stateDir, NAME, 'certs'), { recursive: true });
    await writeKubeconfig(ctx.stateDir, NAME);
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: NAME, command: ctx.binaries.localcluster, args: kubeControllerManagerArgs(ctx) }];
  },
  healthy(ctx) {
    // /healthz is in the always-allowed paths; the serving certificate is self-signed at start.
    return probeOk(ctx.stateDir, healthzUrl(ctx), /^ok$/, { trust: 'any' });
  },
  address(ctx) {
    return `https://${STACK_HOST}:${ctx.ports.kubeControllerManager}`;
  },
};
