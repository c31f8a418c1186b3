// The real node and the host's disk (`npm run test:node`; phase 2 of `npm test`). The node's root is a
// folder of the stack on the host's disk, which it shares with everything else on the machine (other
// stacks, builds, caches), and its images are imported (no registry can bring one back). So the kubelet
// must not judge that disk: with a disk eviction signal (nodefs/imagefs) it tainted the node
// disk-pressure:NoSchedule once the host's disk had less free space than the threshold — every pod of
// the node tests stayed Pending — and reclaimed space by deleting the imported images. That is why the
// node phase of `npm test` failed after the first phase on a busy disk, and passed on a roomier one.
import { statfs } from 'node:fs/promises';
import { NETTEST_IMAGE, REAL_NODE_NAME } from '@hostplane/localstack';
import { loadStackEnv, stackStateDir } from '@hostplane/testing';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';

let core: CoreV1Api;

beforeAll(() => {
  const env = loadStackEnv();
  const kc = new KubeConfig();
  kc.loadFromFile(env.KUBECONFIG);
  core = kc.makeApiClient(CoreV1Api);
});

describe('the real node and the host disk', () => {
  it("the kubelet's only hard eviction signal is memory; its image collector never runs", async () => {
    // The kubelet's effective configuration, as it runs (defaults applied), through the apiserver.
    const raw = await core.connectGetNodeProxyWithPath({ name: REAL_NODE_NAME, path: 'configz' });
    const config = (typeof raw === 'string' ? JSON.parse(raw) : raw).kubeletconfig;
    expect(config.evictionHard).toEqual({ 'memory.available': '100Mi' });
    expect(config.evictionSoft ?? {}).toEqual({});
    expect(config.imageGCHighThresholdPercent).toBe(100);
    expect(config.imageMaximumGCAge ?? '0s').toBe('0s');
  });

  it('reports no disk pressure and carries no disk-pressure taint, whatever the host disk holds', async () => {
    const disk = await statfs(stackStateDir());
    const freePercent = (100 * disk.bavail) / disk.blocks;
    const node = await core.readNode({ name: REAL_NODE_NAME });
    const pressure = node.status?.conditions?.find((c) => c.type === 'DiskPressure');
    expect(
      pressure?.status,
      `DiskPressure on the node with ${freePercent.toFixed(1)}% of the host disk free`,
    ).toBe('False');
    expect((node.spec?.taints ?? []).map((t) => t.key)).not.toContain('node.kubernetes.io/disk-pressure');
  });

  it('keeps the imported images (the node reports them)', async () => {
    const node = await core.readNode({ name: REAL_NODE_NAME });
    const names = (node.status?.images ?? []).flatMap((i) => i.names ?? []);
    expect(names).toContain(NETTEST_IMAGE);
    expect(names.some((n) => n.startsWith('registry.k8s.io/pause:'))).toBe(true);
  });
});
