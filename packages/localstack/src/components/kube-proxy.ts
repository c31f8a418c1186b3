import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Component, ProcessSpec } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { nodeBinary, nodeMountNamespace } from './containerd.ts';
import { kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki } from './kube-pki.ts';
import { kubeProxyArgs } from './node-config.ts';

const NAME = 'kube-proxy';
const run = promisify(execFile);

export const kubeProxy: Component = {
  name: NAME,
  dependsOn: ['kubelet'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await writeKubeconfig(ctx.stateDir, NAME);
  },
  processes(ctx): ProcessSpec[] {
    return [
      {
        name: NAME,
        command: 'nsenter',
        args: [
          `--mount=${nodeMountNamespace(ctx.stateDir)}`,
          '--',
          ctx.binaries.localcluster,
          ...kubeProxyArgs(ctx.ports, kubeconfigPath(ctx.stateDir, NAME)),
        ],
      },
    ];
  },
  healthy(ctx) {
    return probeOk(
      ctx.stateDir,
      `http://${STACK_HOST}:${ctx.ports.kubeProxyHealthz}/healthz`,
      /lastUpdated|^ok/,
    );
  },
  async afterStop(ctx) {
    // kube-proxy's own cleanup mode removes its iptables chains (KUBE-SERVICES, KUBE-NODEPORTS, …).
    await run(nodeBinary(ctx.stateDir), ['kube-proxy', '--cleanup', '--proxy-mode=iptables'], {
      timeout: 60_000,
    });
  },
  address(ctx) {
    return `iptables mode (healthz http://${STACK_HOST}:${ctx.ports.kubeProxyHealthz})`;
  },
};
