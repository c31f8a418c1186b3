// kube-controller-manager and kube-scheduler: two subcommands of the one `localcluster` binary with the
// same serving setup (their own kubeconfig, delegated authn/authz of /metrics and /healthz as kubeadm
// wires it, a self-signed serving certificate in <stateDir>/<name>/certs) and the same health check.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki, kubePki } from './kube-pki.ts';

export type ControlPlaneName = 'kube-controller-manager' | 'kube-scheduler';

/** The flags both take: `localcluster <name>` serving on `port`, trusting the stack's CA for clients. */
export function controlPlaneServingArgs(ctx: StackContext, name: ControlPlaneName, port: number): string[] {
  const kubeconfig = kubeconfigPath(ctx.stateDir, name);
  return [
    name,
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${STACK_HOST}`,
    `--secure-port=${port}`,
    `--cert-dir=${path.join(ctx.stateDir, name, 'certs')}`,
    `--client-ca-file=${kubePki(ctx.stateDir).caCert}`,
  ];
}

/** The component: PKI and kubeconfig prepared, one process, healthy when /healthz says ok. */
export function controlPlaneComponent(
  name: ControlPlaneName,
  port: (ctx: StackContext) => number,
  args: (ctx: StackContext) => string[],
): Component {
  const url = (ctx: StackContext): string => `https://${STACK_HOST}:${port(ctx)}`;
  return {
    name,
    dependsOn: ['kube-apiserver'],
    async prepare(ctx) {
      await ensureKubePki(ctx.stateDir);
      await mkdir(path.join(ctx.stateDir, name, 'certs'), { recursive: true });
      await writeKubeconfig(ctx.stateDir, name);
    },
    processes(ctx) {
      return [{ name, command: ctx.binaries.localcluster, args: args(ctx) }];
    },
    healthy(ctx) {
      // /healthz is in the always-allowed paths; the serving certificate is self-signed at start.
      return probeOk(ctx.stateDir, `${url(ctx)}/healthz`, /^ok$/, { trust: 'any' });
    },
    address: url,
  };
}
