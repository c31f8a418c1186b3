import { describe, expect, it } from 'vitest';
import { imageKey, imageRecipes, normalizeRef, umociConfigArgs } from './images.ts';

describe('local images', () => {
  it('builds the images under the references the platform config pins, never :latest', () => {
    const refs = imageRecipes().map((r) => r.ref);
    expect(refs).toContain('docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine');
    expect(refs).toContain('docker.io/library/php:8.3.21-fpm-alpine');
    expect(refs).toContain('registry.k8s.io/pause:3.10.2');
    for (const ref of refs) expect(ref).not.toMatch(/:latest$/);
  });

  it('keys the cache by every input: a changed package list makes a new archive', () => {
    const [, staticSite] = imageRecipes();
    if (staticSite?.kind !== 'debian') throw new Error('expected the static site image second');
    expect(imageKey(staticSite)).toBe(imageKey({ ...staticSite }));
    expect(imageKey({ ...staticSite, packages: ['nginx-full'] })).not.toBe(imageKey(staticSite));
    expect(imageKey(staticSite)).toMatch(/^site-static-[0-9a-f]{12}$/);
  });

  it('turns an image config into umoci flags', () => {
    expect(
      umociConfigArgs({ entrypoint: ['/pause'], user: '65535:65535', exposedPorts: ['8080/tcp'] }),
    ).toEqual(
      expect.arrayContaining([
        '--config.entrypoint=/pause',
        '--config.user=65535:65535',
        '--config.exposedports=8080/tcp',
      ]),
    );
  });

  it('names references as containerd does', () => {
    expect(normalizeRef('php:8.3')).toBe('docker.io/library/php:8.3');
    expect(normalizeRef('nginxinc/nginx-unprivileged:1.28.0-alpine')).toBe(
      'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine',
    );
    expect(normalizeRef('registry.k8s.io/pause:3.10.2')).toBe('registry.k8s.io/pause:3.10.2');
  });
});
