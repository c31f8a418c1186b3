import { describe, expect, it } from 'vitest';
import { fakeNodeManifest } from './components/kube-node.ts';
import { FAKE_NODE_TAINT, nodeProfile } from './node-profile.ts';

describe('node profile', () => {
  it('is kwok unless HOSTPLANE_STACK_NODE says real, and refuses anything else', () => {
    expect(nodeProfile({})).toBe('kwok');
    expect(nodeProfile({ HOSTPLANE_STACK_NODE: 'real' })).toBe('real');
    expect(() => nodeProfile({ HOSTPLANE_STACK_NODE: 'k3s' })).toThrow(
      /HOSTPLANE_STACK_NODE must be kwok or real/,
    );
  });

  it("taints kwok's fake node only under the real profile", () => {
    expect(fakeNodeManifest('kwok').spec).toEqual({});
    expect(fakeNodeManifest('real').spec?.taints).toEqual([FAKE_NODE_TAINT]);
  });
});
