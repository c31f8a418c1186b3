import { execFile } from 'node:child_process';
import { mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Component, ProcessSpec } from '../component.ts';
import { importImages } from '../images.ts';
import { runningRecord } from '../processes.ts';
import { statePaths } from '../state.ts';
import {
  CNI_NETWORK,
  cniConflist,
  containerdConfig,
  NODE_BRIDGE,
  nodeNamespaceScript,
  nodePaths,
  parseCgroupMounts,
  REAL_NODE_IP,
  REAL_NODE_POD_CIDR,
  SERVICE_CLUSTER_IP_RANGE,
} from './node-config.ts';

const run = promisify(execFile);
const NAME = 'containerd';

async function writeIfChanged(file: string, content: string, mode = 0o644): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current !== content) await writeFile(file, content, { mode });
}

/** `ip …` that may already be done (the bridge exists, the address is set): idempotent by outcome. */
async function ip(args: string[], alreadyDone: RegExp): Promise<void> {
  try {
    await run('ip', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    if (!alreadyDone.test(stderr))
      throw new Error(`ip ${args.join(' ')}: ${stderr.trim()}`, { cause: error });
  }
}

/**
 * The bridge the CNI plugin attaches pods to, created before the kubelet so the node has its
 * non-loopback IP (the gateway of the pod range). The service range is routed to it so the host
 * reaches ClusterIPs (kube-proxy DNATs them in OUTPUT) even in a network namespace with no default route.
 */
export async function ensureNodeBridge(): Promise<void> {
  await ip(['link', 'add', NODE_BRIDGE, 'type', 'bridge'], /File exists/);
  await ip(
    ['addr', 'add', `${REAL_NODE_IP}/${REAL_NODE_POD_CIDR.split('/')[1]}`, 'dev', NODE_BRIDGE],
    /File exists/,
  );
  await run('ip', ['link', 'set', NODE_BRIDGE, 'up']);
  await run('ip', ['route', 'replace', SERVICE_CLUSTER_IP_RANGE, 'dev', NODE_BRIDGE, 'src', REAL_NODE_IP]);
  // Pod → Service through the same bridge needs bridged traffic to pass iptables (kube-proxy's DNAT).
  await run('modprobe', ['br_netfilter']).catch(() => undefined);
  await writeFile('/proc/sys/net/bridge/bridge-nf-call-iptables', '1').catch(() => undefined);
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1').catch(() => undefined);
}

/** inotify instances per user that containerd (CNI conf monitor), the kubelet (file watches) and
 * the pods need beside everything else a developer runs: Debian's default of 128 is used up on a busy
 * machine (several stacks, editors, test watchers), and then containerd starts without its CRI plugin
 * ("failed to create fsnotify watcher: too many open files"). Raised, never lowered; host-wide. */
export const INOTIFY_MIN_INSTANCES = 1024;

export async function ensureInotifyInstances(
  file = '/proc/sys/fs/inotify/max_user_instances',
): Promise<void> {
  const current = Number((await readFile(file, 'utf8').catch(() => '0')).trim());
  if (current >= INOTIFY_MIN_INSTANCES) return;
  await writeFile(file, String(INOTIFY_MIN_INSTANCES)).catch((error: unknown) => {
    throw new Error(
      `fs.inotify.max_user_instances is ${current}; the real node needs ${INOTIFY_MIN_INSTANCES} (run as root, or: sysctl -w fs.inotify.max_user_instances=${INOTIFY_MIN_INSTANCES})`,
      { cause: error },
    );
  });
}

/** Removes the bridge (pods are gone by then); a missing bridge is fine. */
export async function removeNodeBridge(): Promise<void> {
  await ip(['link', 'del', NODE_BRIDGE], /Cannot find device|does not exist/);
}

/** Which archive each reference in the node's containerd came from (re-import a rebuilt image). */
export function importedImagesFile(stateDir: string): string {
  return path.join(stateDir, 'node', 'imported-images.json');
}

export function containerdAddress(stateDir: string): string {
  return nodePaths(stateDir).containerdSocket;
}

/** `ctr` against the node's containerd, in the namespace the CRI uses. */
export function ctr(stateDir: string, args: string[], timeoutMs = 60_000) {
  return run('ctr', ['--address', containerdAddress(stateDir), '--namespace', 'k8s.io', ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
}

export const containerd: Component = {
  name: NAME,
  dependsOn: [],
  async prepare(ctx) {
    const paths = nodePaths(ctx.stateDir);
    if (!runningRecord(statePaths(ctx.stateDir), NAME)) {
      // A node that starts again starts empty, as after a reboot: its runtime state and the IP
      // leases of pods that no longer exist go; images and the kubelet's volumes stay.
      await rm(paths.containerdState, { recursive: true, force: true });
      await rm(paths.cniDataDir, { recursive: true, force: true });
    }
    for (const dir of [paths.containerdRoot, paths.containerdState, paths.cniConfDir, paths.cniDataDir]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    await mkdir(paths.podLogsDir, { recursive: true });
    await mkdir(paths.volumesDir, { recursive: true });
    await writeIfChanged(paths.containerdConfig, containerdConfig(paths));
    await writeIfChanged(`${paths.cniConfDir}/10-${CNI_NETWORK}.conflist`, cniConflist(paths));
    const hostMounts = await readFile('/proc/1/mounts', 'utf8');
    await writeIfChanged(
      paths.nsScript,
      nodeNamespaceScript(parseCgroupMounts(hostMounts), paths.cgroupRoot),
      0o755,
    );
    await ensureNodeBridge();
    await ensureInotifyInstances();
    await recordNodeBinary(ctx.stateDir, ctx.binaries.localcluster);
  },
  processes(ctx): ProcessSpec[] {
    const paths = nodePaths(ctx.stateDir);
    return [
      {
        name: NAME,
        // A mount namespace of the node's own; unshare and the script exec, so the pid is containerd's.
        command: 'unshare',
        args: [
          '--mount',
          '--propagation',
          'slave',
          '--',
          '/bin/sh',
          paths.nsScript,
          'containerd',
          '--config',
          paths.containerdConfig,
        ],
      },
    ];
  },
  async healthy(ctx) {
    try {
      await ctr(ctx.stateDir, ['version'], 3_000);
      return true;
    } catch {
      return false;
    }
  },
  async afterHealthy(ctx) {
    await importImages((args, timeoutMs) => ctr(ctx.stateDir, args, timeoutMs), ctx.say, {
      buildPause: true,
      recordFile: importedImagesFile(ctx.stateDir),
    });
  },
  async beforeStop(ctx) {
    // Every pod of the node goes first, through the CRI as the kubelet would remove it: containers
    // stopped, network torn down by CNI, network namespace removed. The kubelet is stopped by then
    // (it depends on containerd), so nothing starts them again; the Pod objects stay, as on a reboot.
    const { stdout, stderr } = await run(
      nodeBinary(ctx.stateDir),
      ['remove-pods', `unix://${containerdAddress(ctx.stateDir)}`],
      { timeout: 180_000 },
    );
    const removed = stdout.split('\n').filter(Boolean).length;
    if (removed > 0)
      ctx.say(
        `■ ${'pods'.padEnd(24)} ${removed} removed from the node${stderr ? ` (${stderr.trim()})` : ''}`,
      );
  },
  async afterStop() {
    // The mounts of the node went with its mount namespace; the bridge lives in the network namespace.
    await removeNodeBridge();
  },
  address(ctx) {
    return `unix://${containerdAddress(ctx.stateDir)}`;
  },
};

/** The localcluster binary the node was started with (`stack down` does not build one). */
export function nodeBinary(stateDir: string): string {
  return path.join(nodePaths(stateDir).dir, 'localcluster');
}

/** Records the binary for `stack down` (a symbolic link beside the node's files). */
export async function recordNodeBinary(stateDir: string, binary: string): Promise<void> {
  const link = nodeBinary(stateDir);
  if ((await readlink(link).catch(() => undefined)) === binary) return;
  await rm(link, { force: true });
  await symlink(binary, link);
}

/** The node's mount namespace (containerd's), which the kubelet and kube-proxy enter. */
export function nodeMountNamespace(stateDir: string): string {
  const record = runningRecord(statePaths(stateDir), NAME);
  return record ? `/proc/${record.pid}/ns/mnt` : '/proc/self/ns/mnt';
}

/** Imports the cached images into the node's containerd when the node runs; false when it does not. */
export async function loadImagesIntoNode(stateDir: string, say: (line: string) => void): Promise<boolean> {
  if (!runningRecord(statePaths(stateDir), NAME)) return false;
  await importImages((args, timeoutMs) => ctr(stateDir, args, timeoutMs), say, {
    buildPause: true,
    recordFile: importedImagesFile(stateDir),
  });
  return true;
}

/** Imports one image archive into the running node's containerd (what `images build` does for each). */
export async function importArchiveIntoNode(stateDir: string, archive: string): Promise<void> {
  await ctr(stateDir, ['images', 'import', archive], 300_000);
}
