import { describe, expect, it } from 'vitest';
import { stackPorts } from '../ports.ts';
import {
  cniConflist,
  containerdConfig,
  kubeletConfig,
  nodeNamespaceScript,
  nodePaths,
  parseCgroupMounts,
} from './node-config.ts';

const paths = nodePaths('/s');

describe('real node configuration', () => {
  it('gives containerd its own root, state and socket and the settings this machine needs', () => {
    const toml = containerdConfig(paths);
    expect(toml).toContain('root = "/s/node/containerd/root"');
    expect(toml).toContain('address = "/s/node/containerd/containerd.sock"');
    expect(toml).toContain('restrict_oom_score_adj = true');
    expect(toml).toContain('SystemdCgroup = false');
    expect(toml).toContain('sandbox_image = "registry.k8s.io/pause:3.10.2"');
    expect(toml).toContain('conf_dir = "/s/node/cni/net.d"');
  });

  it('attaches pods to the pre-created bridge with host-local IPAM over the node pod range and portmap', () => {
    const conf = JSON.parse(cniConflist(paths));
    expect(conf.plugins.map((p: { type: string }) => p.type)).toEqual(['bridge', 'portmap']);
    expect(conf.plugins[0].bridge).toBe('hp-node0');
    expect(conf.plugins[0].ipam.ranges[0][0]).toEqual({ subnet: '10.88.0.0/16', gateway: '10.88.0.1' });
    expect(conf.plugins[0].ipam.dataDir).toBe('/s/node/cni/ipam');
  });

  it('runs the kubelet on cgroup v1 with cgroupfs, webhook auth and no read-only port', () => {
    const yaml = kubeletConfig(paths, stackPorts, { caCert: '/ca', servingCert: '/c', servingKey: '/k' }, []);
    for (const line of [
      'failCgroupV1: false',
      'cgroupDriver: cgroupfs',
      `cgroupRoot: ${paths.cgroupRoot}`,
      'readOnlyPort: 0',
      '  webhook: {enabled: true}',
      'authorization: {mode: Webhook}',
      'containerRuntimeEndpoint: "unix:///s/node/containerd/containerd.sock"',
      'address: 10.88.0.1',
      'port: 20250',
      // The host's disk is shared: no disk eviction signal (tests/node-disk.node.test.ts reads /configz).
      'evictionHard: {memory.available: 100Mi}',
      'mergeDefaultEvictionSettings: false',
      'imageGCHighThresholdPercent: 100',
    ]) {
      expect(yaml.split('\n')).toContain(line);
    }
    expect(yaml).not.toContain('clusterDNS');
  });

  it('gives pods the cluster DNS and runs the static pods of the node folder', () => {
    const yaml = kubeletConfig(paths, stackPorts, { caCert: '/ca', servingCert: '/c', servingKey: '/k' }, [
      '10.96.0.10',
    ]).split('\n');
    expect(yaml).toContain('clusterDomain: cluster.local');
    expect(yaml.slice(yaml.indexOf('clusterDNS:'), yaml.indexOf('clusterDNS:') + 2)).toEqual([
      'clusterDNS:',
      '- 10.96.0.10',
    ]);
    expect(yaml).toContain('staticPodPath: "/s/node/static-pods"');
  });

  it('mounts the host cgroup hierarchies again in the node mount namespace when /sys hides them', () => {
    const mounts = [
      'sysfs /sys sysfs rw,nosuid 0 0',
      'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
      'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
      'cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0',
    ].join('\n');
    const parsed = parseCgroupMounts(mounts);
    expect(parsed.map((m) => m.dir)).toEqual([
      '/sys/fs/cgroup',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/systemd',
    ]);
    const script = nodeNamespaceScript(parsed, '/hostplane-abc');
    expect(script).toContain("mkdir -p '/sys/fs/cgroup/memory/hostplane-abc'");
    expect(script).not.toContain("mkdir -p '/sys/fs/cgroup/hostplane-abc'");
    expect(script).toContain("mount -t cgroup -o 'rw,relatime,memory' cgroup '/sys/fs/cgroup/memory'");
    expect(script).toContain('mount -t tmpfs -o mode=0755 hostplane-node "$dir"');
    expect(script.trimEnd().endsWith('exec "$@"')).toBe(true);
  });
});
