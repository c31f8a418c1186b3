import type { StackContext } from '../component.ts';
import { controlPlaneComponent, controlPlaneServingArgs } from './control-plane-component.ts';
import { kubePki, SERVICE_CLUSTER_IP_RANGE } from './kube-pki.ts';

const NAME = 'kube-controller-manager';

export function kubeControllerManagerArgs(ctx: StackContext): string[] {
  const pki = kubePki(ctx.stateDir);
  return [
    ...controlPlaneServingArgs(ctx, NAME, ctx.ports.kubeControllerManager),
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

export const kubeControllerManager = controlPlaneComponent(
  NAME,
  (ctx) => ctx.ports.kubeControllerManager,
  kubeControllerManagerArgs,
);
