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
