import { execFile } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Component, ProcessSpec, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { adminKubeConfig, kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { FAKE_NODE_NAME, fakeNodeReady } from './kube-node.ts';
import { ensureKubePki } from './kube-pki.ts';

const NAME = 'kwok';
/** Pod IPs kwok hands out on the fake node (110 pods fit easily). */
export const KWOK_POD_CIDR = '10.244.0.0/16';
/** The fake node's InternalIP: not loopback, which EndpointSlices refuse for hostNetwork pods. */
export const KWOK_NODE_IP = '10.240.0.1';

const stagesFile = (ctx: StackContext): string => path.join(ctx.stateDir, NAME, 'stages.yaml');
const serverAddress = (ctx: StackContext): string => `${STACK_HOST}:${ctx.ports.kwokMetrics}`;

export function kwokArgs(ctx: StackContext): string[] {
  return [
    NAME,
    `--kubeconfig=${kubeconfigPath(ctx.stateDir, NAME)}`,
    `--config=${stagesFile(ctx)}`,
    `--manage-single-node=${FAKE_NODE_NAME}`,
    // The node keeps itself alive through its Lease (as a kubelet does), not by rewriting status every few seconds.
    '--node-lease-duration-seconds=40',
    `--cidr=${KWOK_POD_CIDR}`,
    `--node-ip=${KWOK_NODE_IP}`,
    `--node-name=${FAKE_NODE_NAME}`,
    `--server-address=${serverAddress(ctx)}`,
    // kwok logs every lease renewal at INFO (every 10 s); warnings and errors are what a log tail needs.
    '--v=WARN',
  ];
}

export const kwok: Component = {
  name: NAME,
  dependsOn: ['kube-apiserver'],
  async prepare(ctx) {
    await ensureKubePki(ctx.stateDir);
    await mkdir(path.join(ctx.stateDir, NAME), { recursive: true });
    await writeKubeconfig(ctx.stateDir, NAME);
    // The bare kwok controller has no built-in stages; the binary prints the ones kwokctl would use.
    const { stdout } = await promisify(execFile)(ctx.binaries.localcluster, ['kwok-stages']);
    await writeFile(`${stagesFile(ctx)}.tmp`, stdout);
    await rename(`${stagesFile(ctx)}.tmp`, stagesFile(ctx));
  },
  processes(ctx): ProcessSpec[] {
    return [{ name: NAME, command: ctx.binaries.localcluster, args: kwokArgs(ctx) }];
  },
  async healthy(ctx) {
    if (!(await probeOk(ctx.stateDir, `http://${serverAddress(ctx)}/healthz`, /^ok$/))) return false;
    try {
      return await fakeNodeReady(adminKubeConfig(ctx.stateDir));
    } catch {
      // The node is registered by kube-apiserver's afterHealthy; until kwok has initialised it, not healthy yet.
      return false;
    }
  },
  address(ctx) {
    return `node ${FAKE_NODE_NAME} (kwok on http://${serverAddress(ctx)})`;
  },
};
