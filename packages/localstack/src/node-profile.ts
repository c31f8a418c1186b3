import { z } from 'zod';

/**
 * Which node runs the stack's pods. `kwok` (default): kwok's fake node marks every pod Ready and
 * no container runs, the fast profile the suite and `bench:provision` use. `real`: a kubelet with
 * containerd runs real containers (REAL-NODE.md); kwok's fake node stays for benchmarks but is
 * tainted, so tenant pods land on the real node. Chosen with HOSTPLANE_STACK_NODE.
 */
export const nodeProfileSchema = z.enum(['kwok', 'real']);
export type NodeProfile = z.infer<typeof nodeProfileSchema>;

export function nodeProfile(env: NodeJS.ProcessEnv = process.env): NodeProfile {
  const parsed = nodeProfileSchema.safeParse(env.HOSTPLANE_STACK_NODE ?? 'kwok');
  if (!parsed.success) {
    throw new Error(
      `HOSTPLANE_STACK_NODE must be kwok or real, not ${JSON.stringify(env.HOSTPLANE_STACK_NODE)}`,
    );
  }
  return parsed.data;
}

/** The taint kwok's fake node carries under the `real` profile: only pods that tolerate it go there. */
export const FAKE_NODE_TAINT = {
  key: 'hostplane.dev/fake-node',
  value: 'kwok',
  effect: 'NoSchedule',
} as const;

/** The processes that say which node a running stack has. */
export interface RunningNode {
  kubelet: boolean;
  localVolumes: boolean;
}

/**
 * What `stack up` under `wanted` stops first so that the running stack takes that node (pure, tested):
 * to the real node, the volume provisioner (it pins volumes to the node named in its arguments); back
 * to kwok, the real node and the provisioner, and kwok's fake node loses its taint.
 */
export function nodeSwitchPlan(
  running: RunningNode,
  wanted: NodeProfile,
): { stop: string[]; untaintFakeNode: boolean } {
  if (wanted === 'real' && !running.kubelet && running.localVolumes)
    return { stop: ['local-volumes'], untaintFakeNode: false };
  if (wanted === 'kwok' && running.kubelet)
    return {
      stop: ['coredns', 'kube-proxy', 'kubelet', 'containerd', 'local-volumes'],
      untaintFakeNode: true,
    };
  return { stop: [], untaintFakeNode: false };
}
