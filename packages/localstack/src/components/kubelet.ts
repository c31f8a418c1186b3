import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { pidFile } from '../processes.ts';
import { statePaths } from '../state.ts';
import { CLUSTER_DNS_IP } from './cluster-dns.ts';
import { nodeMountNamespace } from './containerd.ts';
import { adminKubeConfig, kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { registerFakeNode } from './kube-node.ts';
import { ensureKubePki } from './kube-pki.ts';
import { kubeletArgs, kubeletConfig, nodePaths, REAL_NODE_IP, REAL_NODE_NAME } from './node-config.ts';

const NAME = 'kubelet';
const run = promisify(execFile);

/** True when the real node reports Ready=True (the kubelet, containerd and CNI all work), said by
 * the kubelet running now: a Ready left over from before a restart does not count. */
export async function realNodeReady(ctx: StackContext): Promise<boolean> {
  const node = await adminKubeConfig(ctx.stateDir)
    .makeApiClient(CoreV1Api)
    .readNode({ name: REAL_NODE_NAME });
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  const started = statSync(pidFile(statePaths(ctx.stateDir), NAME), { throwIfNoEntry: false })?.mtimeMs;
  const heartbeat = ready.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime).getTime() : 0;
  // Heartbeats carry whole seconds.
  return started === undefined || heartbeat >= Math.floor(started / 1000) * 1000;
}

export const kubelet: Component = {
  name: NAME,
  dependsOn: ['containerd', 'kube-apiserver', 'netpol'],
  async prepare(ctx) {
    const pki = await ensureKubePki(ctx.stateDir);
    const paths = nodePaths(ctx.stateDir);
    await mkdir(paths.kubeletRoot, { recursive: true, mode: 0o700 });
    await mkdir(paths.staticPodsDir, { recursive: true, mode: 0o755 });
    await writeKubeconfig(ctx.stateDir, NAME);
    const serving = pki.cert('kubelet-serving');
    const config = kubeletConfig(
      paths,
      ctx.ports,
      { caCert: pki.caCert, servingCert: serving.cert, servingKey: serving.key },
      [CLUSTER_DNS_IP],
    );
    if ((await readFile(paths.kubeletConfig, 'utf8').catch(() => '')) !== config) {
      await writeFile(paths.kubeletConfig, config);
    }
  },
  processes(ctx): ProcessSpec[] {
    const paths = nodePaths(ctx.stateDir);
    return [
      {
        name: NAME,
        command: 'nsenter',
        args: [
          `--mount=${nodeMountNamespace(ctx.stateDir)}`,
          '--',
          ctx.binaries.localcluster,
          ...kubeletArgs(paths, kubeconfigPath(ctx.stateDir, NAME)),
        ],
      },
    ];
  },
  async healthy(ctx) {
    const url = `http://${STACK_HOST}:${ctx.ports.kubeletHealthz}/healthz`;
    if (!(await probeOk(ctx.stateDir, url, /^ok$/))) return false;
    try {
      return await realNodeReady(ctx);
    } catch {
      return false; // not registered yet
    }
  },
  async afterHealthy(ctx) {
    // Tenant pods belong here now: kwok's fake node gets its taint even when the control plane was
    // already up under the kwok profile (its afterHealthy does not run again then).
    await registerFakeNode(adminKubeConfig(ctx.stateDir), 'real');
  },
  async afterStop() {
    // The kubelet's own iptables chains (its canary and KUBE-FIREWALL, which drops traffic to
    // 127/8 from other sources); the sysctls it set (kernel.panic, vm.overcommit_memory) stay.
    for (const table of ['filter', 'nat', 'mangle']) {
      for (const chain of ['KUBE-FIREWALL', 'KUBE-KUBELET-CANARY']) {
        for (const parent of ['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING']) {
          await run('iptables', ['-w', '-t', table, '-D', parent, '-j', chain]).catch(() => undefined);
        }
        await run('iptables', ['-w', '-t', table, '-F', chain]).catch(() => undefined);
        await run('iptables', ['-w', '-t', table, '-X', chain]).catch(() => undefined);
      }
    }
  },
  address(ctx) {
    return `node ${REAL_NODE_NAME} (kubelet on https://${REAL_NODE_IP}:${ctx.ports.kubelet})`;
  },
};
