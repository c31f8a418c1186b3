import {
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import { FAKE_NODE_TAINT, type NodeProfile } from '../node-profile.ts';

/** The one fake node kwok plays, sized like a real single node. */
export const FAKE_NODE_NAME = 'hostplane-node';
export const FAKE_NODE_CAPACITY = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '200Gi' };
const FIELD_MANAGER = 'hostplane-localstack';

export function fakeNodeManifest(profile: NodeProfile = 'kwok'): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: FAKE_NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': FAKE_NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/control-plane': '',
        type: 'kwok',
      },
    },
    // Under the `real` profile tenant pods belong on the real node; kwok's stays for pods that tolerate it.
    spec: profile === 'real' ? { taints: [{ ...FAKE_NODE_TAINT }] } : {},
  };
}

/** Registers the fake node (as a kubelet would) and sets its capacity; kwok then marks it Ready. */
export async function registerFakeNode(kc: KubeConfig, profile: NodeProfile = 'kwok'): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await objects.patch(
    fakeNodeManifest(profile),
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
  if (profile === 'kwok') await removeFakeNodeTaint(kc);
  // Capacity lives in status, which an apply of the object ignores; kwok's node-initialize stage keeps it.
  const status = { capacity: FAKE_NODE_CAPACITY, allocatable: FAKE_NODE_CAPACITY };
  await kc
    .makeApiClient(CoreV1Api)
    .patchNodeStatus(
      { name: FAKE_NODE_NAME, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/** True when the fake node reports Ready=True (kwok is playing its kubelet). */
export async function fakeNodeReady(kc: KubeConfig): Promise<boolean> {
  const node = await kc.makeApiClient(CoreV1Api).readNode({ name: FAKE_NODE_NAME });
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Back on the kwok profile the taint goes. An apply alone may not remove it: the node lifecycle
 * controller takes over the (atomic) taint list whenever it updates it, so it is patched away. */
async function removeFakeNodeTaint(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const node = await core.readNode({ name: FAKE_NODE_NAME });
  const taints = node.spec?.taints ?? [];
  const kept = taints.filter((t) => t.key !== FAKE_NODE_TAINT.key);
  if (kept.length === taints.length) return;
  await core.patchNode(
    { name: FAKE_NODE_NAME, body: { spec: { taints: kept } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
