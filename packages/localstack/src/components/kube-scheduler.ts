import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki, kubePki } from './kube-pki.ts';

const NAME = 'kube-scheduler';
const healthzUrl = (ctx: StackContext): string => `https://${STACK_HOST}:${ctx.ports.kubeScheduler}/healthz`;

export function kubeSchedulerArgs(ctx: StackContext): string[] {
  const kubeconfig = kubeconfigPath(ctx.stateDir, NAME);
  return [
    NAME,
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${STACK_HOST}`,
    `--secure-port=${ctx.ports.kubeScheduler}`,
    `--cert-dir=${path.join(ctx.stateDir, NAME, 'certs')}`,
    `--client-ca-file=${kubePki(ctx.stateDir).caCert}`,
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export const kubeScheduler: Component = {
  name: NAME,
  dependsOn: ['kube-apiserver'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(path.join(ctx.stateDir, NAME, 'certs'), { recursive: true });
    await writeKubeconfig(ctx.stateDir, NAME);
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: NAME, command: ctx.binaries.localcluster, args: kubeSchedulerArgs(ctx) }];
  },
  healthy(ctx) {
    // /healthz is in the always-allowed paths; the serving certificate is self-signed at start.
    return probeOk(ctx.stateDir, healthzUrl(ctx), /^ok$/, { trust: 'any' });
  },
  address(ctx) {
    return `https://${STACK_HOST}:${ctx.ports.kubeScheduler}`;
  },
};
