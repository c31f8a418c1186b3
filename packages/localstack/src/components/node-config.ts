// The real node's configuration files, rendered from the stack's state folder and ports (pure, tested).
// What each setting is for is measured on this kind of machine: see ../shared/REAL-NODE.md.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { StackPorts } from '../ports.ts';
import { STACK_HOST } from '../ports.ts';
import { REAL_NODE_IP, REAL_NODE_NAME, REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE } from './kube-pki.ts';

/** The bridge created before the kubelet starts: it carries the node IP and is the CNI bridge. */
export const NODE_BRIDGE = 'hp-node0';
/** The kubelet's sandbox image: the pause container built from the Kubernetes module (see images). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.2';
/** Where Debian's containernetworking-plugins installs the CNI plugins. */
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_NETWORK = 'hostplane-pods';
export const CLUSTER_DOMAIN = 'cluster.local';

export interface NodePaths {
  dir: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  cniConfDir: string;
  cniDataDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogsDir: string;
  nsScript: string;
  volumesDir: string;
  /** The kubelet's static pods (cluster DNS). */
  staticPodsDir: string;
  /** The kubelet's cgroup root, one per stack: two real nodes on one host (each stack in its own
   * network namespace) must not manage the same `/kubepods` cgroups. */
  cgroupRoot: string;
}

/** Everything of the node lives under `<stateDir>/node/`. */
export function nodePaths(stateDir: string): NodePaths {
  const dir = path.join(stateDir, 'node');
  return {
    dir,
    containerdRoot: path.join(dir, 'containerd', 'root'),
    containerdState: path.join(dir, 'containerd', 'state'),
    containerdSocket: path.join(dir, 'containerd', 'containerd.sock'),
    containerdConfig: path.join(dir, 'containerd', 'config.toml'),
    cniConfDir: path.join(dir, 'cni', 'net.d'),
    cniDataDir: path.join(dir, 'cni', 'ipam'),
    kubeletRoot: path.join(dir, 'kubelet'),
    kubeletConfig: path.join(dir, 'kubelet-config.yaml'),
    podLogsDir: path.join(dir, 'pod-logs'),
    nsScript: path.join(dir, 'node-namespace.sh'),
    volumesDir: path.join(dir, 'volumes'),
    staticPodsDir: path.join(dir, 'static-pods'),
    cgroupRoot: `/hostplane-${createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 12)}`,
  };
}

export function containerdConfig(paths: NodePaths): string {
  const q = JSON.stringify;
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = ${q(paths.containerdRoot)}`,
    `state = ${q(paths.containerdState)}`,
    // Only the CRI and what it needs: no other snapshotters probing the host.
    'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]',
    '[grpc]',
    `  address = ${q(paths.containerdSocket)}`,
    '[ttrpc]',
    `  address = ${q(`${paths.containerdSocket}.ttrpc`)}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    `[${cri}]`,
    `  sandbox_image = ${q(PAUSE_IMAGE)}`,
    // Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails ("can't get final child's PID").
    '  restrict_oom_score_adj = true',
    '  disable_apparmor = true',
    '  disable_hugetlb_controller = true',
    '  tolerate_missing_hugetlb_controller = true',
    `[${cri}.containerd]`,
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `[${cri}.cni]`,
    `  bin_dir = ${q(CNI_BIN_DIR)}`,
    `  conf_dir = ${q(paths.cniConfDir)}`,
    '  max_conf_num = 1',
    '',
  ].join('\n');
}

/** CNI: the pre-created bridge as gateway, host-local IPAM over the node's pod range, portmap. */
export function cniConflist(paths: NodePaths): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: NODE_BRIDGE,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: paths.cniDataDir,
            ranges: [[{ subnet: REAL_NODE_POD_CIDR, gateway: REAL_NODE_IP }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(
  paths: NodePaths,
  ports: StackPorts,
  pki: { caCert: string; servingCert: string; servingKey: string },
  clusterDns: string[],
): string {
  const q = JSON.stringify;
  return [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    // cgroup v1 here: v1.37 refuses it unless told; PID 1 is not systemd, so cgroupfs.
    'failCgroupV1: false',
    'cgroupDriver: cgroupfs',
    `cgroupRoot: ${paths.cgroupRoot}`,
    'oomScoreAdj: 0',
    'protectKernelDefaults: false',
    'failSwapOn: false',
    'maxOpenFiles: 20000',
    `address: ${REAL_NODE_IP}`,
    `port: ${ports.kubelet}`,
    'readOnlyPort: 0',
    `healthzBindAddress: ${STACK_HOST}`,
    `healthzPort: ${ports.kubeletHealthz}`,
    `tlsCertFile: ${q(pki.servingCert)}`,
    `tlsPrivateKeyFile: ${q(pki.servingKey)}`,
    'authentication:',
    '  anonymous: {enabled: false}',
    '  webhook: {enabled: true}',
    `  x509: {clientCAFile: ${q(pki.caCert)}}`,
    'authorization: {mode: Webhook}',
    `containerRuntimeEndpoint: ${q(`unix://${paths.containerdSocket}`)}`,
    `podLogsDir: ${q(paths.podLogsDir)}`,
    `staticPodPath: ${q(paths.staticPodsDir)}`,
    `clusterDomain: ${CLUSTER_DOMAIN}`,
    ...(clusterDns.length > 0 ? ['clusterDNS:', ...clusterDns.map((ip) => `- ${ip}`)] : []),
    'serializeImagePulls: false',
    // Images are imported, never pulled: the image garbage collector must not throw them away.
    'imageGCHighThresholdPercent: 100',
    'imageGCLowThresholdPercent: 99',
    // No disk signals (nodefs/imagefs): the node's root is a folder on the host's disk, shared with
    // everything else on the machine (other stacks, builds, caches). With a disk signal the kubelet
    // judges that whole disk: below the threshold it taints the node disk-pressure:NoSchedule (held
    // for evictionPressureTransitionPeriod after it clears) and reclaims by deleting every unused
    // image — the imported ones, which no registry can bring back. Only memory is a hard signal;
    // naming one signal turns the kubelet's defaults off (mergeDefaultEvictionSettings: false).
    'evictionHard: {memory.available: 100Mi}',
    'mergeDefaultEvictionSettings: false',
    'nodeStatusReportFrequency: 1m',
    'volumeStatsAggPeriod: 1m',
    '',
  ].join('\n');
}

export function kubeletArgs(paths: NodePaths, kubeconfig: string): string[] {
  return [
    'kubelet',
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--hostname-override=${REAL_NODE_NAME}`,
    `--node-ip=${REAL_NODE_IP}`,
    '--node-labels=hostplane.dev/node=real',
    '--v=1',
  ];
}

export function kubeProxyArgs(ports: StackPorts, kubeconfig: string): string[] {
  return [
    'kube-proxy',
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${REAL_NODE_NAME}`,
    // The kernel here has no IPVS; iptables mode is the one measured.
    '--proxy-mode=iptables',
    `--cluster-cidr=${REAL_NODE_POD_CIDR}`,
    `--healthz-bind-address=${STACK_HOST}:${ports.kubeProxyHealthz}`,
    `--metrics-bind-address=${STACK_HOST}:${ports.kubeProxyMetrics}`,
    // Leave the host's conntrack table sizes and timeouts as they are.
    '--conntrack-max-per-core=0',
    '--conntrack-tcp-timeout-established=0',
    '--conntrack-tcp-timeout-close-wait=0',
  ];
}

/** One cgroup mount of the host, as /proc/1/mounts lists it. */
export interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2' | 'tmpfs';
  dir: string;
  options: string;
}

/** The cgroup mounts of /proc/mounts text (the host's, read through /proc/1/mounts). */
export function parseCgroupMounts(mounts: string): CgroupMount[] {
  const found: CgroupMount[] = [];
  for (const line of mounts.split('\n')) {
    const [, dir, fstype, options] = line.split(' ');
    if (!dir || !fstype || !options || !dir.startsWith('/sys/fs/cgroup')) continue;
    if (fstype !== 'cgroup' && fstype !== 'cgroup2' && fstype !== 'tmpfs') continue;
    found.push({ fstype, dir, options });
  }
  return found;
}

/** Directories of the host the kubelet and containerd write to outside their own roots: in the
 * node's mount namespace each gets a tmpfs, so nothing is left on the host when the node stops. */
export const NODE_PRIVATE_DIRS = [
  '/run/containerd',
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/var/log/containers',
];

/**
 * The node's processes run in a mount namespace of their own (`unshare --mount --propagation slave`
 * around containerd; the kubelet and kube-proxy enter it): every mount they make (container root
 * file systems, pod network namespaces, volume tmpfs) stays there and disappears when they exit.
 * `ip netns exec` hides the host's cgroup mounts behind a fresh /sys: they are mounted again here.
 */
export function nodeNamespaceScript(cgroups: CgroupMount[], cgroupRoot: string): string {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const remount = cgroups.flatMap((m) => {
    const opts = m.options
      .split(',')
      .filter((o) => !['seclabel'].includes(o))
      .join(',');
    return [`  mkdir -p ${q(m.dir)}`, `  mount -t ${m.fstype} -o ${q(opts)} ${m.fstype} ${q(m.dir)}`];
  });
  return [
    '#!/bin/sh',
    '# Written by the local stack (packages/localstack/src/components/node-config.ts).',
    'set -eu',
    'if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then',
    ...(remount.length > 0 ? remount : ['  :']),
    'fi',
    // The kubelet refuses a cgroup root that does not exist in every hierarchy.
    ...cgroups
      .filter((m) => m.fstype !== 'tmpfs')
      .map((m) => `mkdir -p ${q(path.posix.join(m.dir, cgroupRoot))}`),
    `for dir in ${NODE_PRIVATE_DIRS.join(' ')}; do`,
    '  mkdir -p "$dir"',
    '  mount -t tmpfs -o mode=0755 hostplane-node "$dir"',
    'done',
    'exec "$@"',
    '',
  ].join('\n');
}

export { REAL_NODE_IP, REAL_NODE_NAME, REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE };
