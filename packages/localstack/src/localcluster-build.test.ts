import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  isBuildSource,
  localclusterCacheKey,
  localclusterCacheRoot,
  parseGoMod,
  parseGoVersionOutput,
  versionLdflags,
} from './localcluster-build.ts';

describe('localcluster build helpers', () => {
  it('reads the go directive and the pinned Kubernetes release from go.mod', () => {
    const goMod =
      'module x\n\ngo 1.26.0\n\nrequire (\n\tk8s.io/kubernetes v1.37.2\n\tsigs.k8s.io/kwok v0.8.0\n)\n';
    expect(parseGoMod(goMod)).toEqual({ goDirective: '1.26.0', kubernetesVersion: 'v1.37.2' });
    expect(() => parseGoMod('module x\n')).toThrow(/k8s.io\/kubernetes/);
  });

  it.each([
    ['go version go1.26.8 linux/amd64', '1.26.8'],
    ['go version go1.27 darwin/arm64', '1.27'],
    ['bash: go: not found', undefined],
  ])('parses %j', (output, version) => {
    expect(parseGoVersionOutput(output)).toBe(version);
  });

  it.each([
    ['1.26.8', '1.26.0', 1],
    ['1.26', '1.26.0', 0],
    ['1.25.9', '1.26.0', -1],
    ['1.100.0', '1.26.0', 1],
  ])('compares %s with %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('keys the cache by release and content, not by file order', () => {
    const a = { name: 'go.mod', content: 'x' };
    const b = { name: 'main.go', content: 'y' };
    const key = localclusterCacheKey('v1.37.2', [a, b]);
    expect(key).toMatch(/^v1\.37\.2-[0-9a-f]{12}$/);
    expect(localclusterCacheKey('v1.37.2', [b, a])).toBe(key);
    expect(localclusterCacheKey('v1.37.2', [a, { ...b, content: 'z' }])).not.toBe(key);
  });

  it.each([
    ['go.mod', true],
    ['go.sum', true],
    ['main.go', true],
    ['netpol/compile.go', true],
    ['netpol/compile_test.go', false],
    ['README.md', false],
  ])('%s shapes the binary: %s', (name, expected) => {
    expect(isBuildSource(name)).toBe(expected);
  });

  it('stamps the release into k8s.io/component-base/version', () => {
    const flags = versionLdflags('v1.37.2', '2026-11-26T00:00:00Z');
    expect(flags).toContain('-X k8s.io/component-base/version.gitVersion=v1.37.2');
    expect(flags).toContain('-X k8s.io/component-base/version.gitMajor=1');
    expect(flags).toContain('-X k8s.io/component-base/version.gitMinor=37');
    expect(flags).toContain('-X k8s.io/component-base/version.buildDate=2026-11-26T00:00:00Z');
  });

  it('puts the cache under HOSTPLANE_CACHE_DIR, else XDG_CACHE_HOME/hostplane', () => {
    expect(localclusterCacheRoot({ HOSTPLANE_CACHE_DIR: '/c' })).toBe('/c/localcluster');
    expect(localclusterCacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/hostplane/localcluster');
  });
});
