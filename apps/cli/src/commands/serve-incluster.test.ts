import { describe, expect, it } from 'vitest';
import { kubernetesAccess, requirePlatformConfigInCluster } from './serve-targets.ts';

describe('hostplane serve inside a pod', () => {
  it("uses KUBECONFIG when given, else the pod's service account, else no Kubernetes at all", () => {
    expect(kubernetesAccess({ KUBECONFIG: '/k', KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toEqual({
      kubeconfig: '/k',
    });
    expect(kubernetesAccess({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toEqual({});
    expect(kubernetesAccess({})).toBeUndefined();
  });

  it('refuses to fall back to the local defaults (127.0.0.1, ns1.hostplane.test) in a cluster', () => {
    expect(() => requirePlatformConfigInCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toThrow(
      /PLATFORM_CONFIG is required in a cluster/,
    );
    expect(
      requirePlatformConfigInCluster({
        KUBERNETES_SERVICE_HOST: '10.96.0.1',
        PLATFORM_CONFIG: '/etc/hostplane/platform.yaml',
      }),
    ).toBe('/etc/hostplane/platform.yaml');
    expect(requirePlatformConfigInCluster({})).toBeUndefined();
  });
});
