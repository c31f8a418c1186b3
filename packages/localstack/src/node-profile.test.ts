import { describe, expect, it } from 'vitest';
import { fakeNodeManifest } from './components/kube-node.ts';
import { FAKE_NODE_TAINT, nodeProfile, nodeSwitchPlan } from './node-profile.ts';

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

  it('switches a running stack to the node asked for instead of refusing', () => {
    const none = { stop: [], untaintFakeNode: false };
    // kwok → real: the provisioner restarts for the real node; the rest stays.
    expect(nodeSwitchPlan({ kubelet: false, localVolumes: true }, 'real')).toEqual({
      stop: ['local-volumes'],
      untaintFakeNode: false,
    });
    // real → kwok: the real node goes, the fake node takes pods again.
    const back = nodeSwitchPlan({ kubelet: true, localVolumes: true }, 'kwok');
    expect(back.stop).toEqual(expect.arrayContaining(['kubelet', 'containerd', 'local-volumes', 'coredns']));
    expect(back.untaintFakeNode).toBe(true);
    expect(nodeSwitchPlan({ kubelet: true, localVolumes: true }, 'real')).toEqual(none);
    expect(nodeSwitchPlan({ kubelet: false, localVolumes: true }, 'kwok')).toEqual(none);
    expect(nodeSwitchPlan({ kubelet: false, localVolumes: false }, 'real')).toEqual(none);
  });
});
