import { parsePlatformConfig } from '@hostplane/platform';
import { describe, expect, it } from 'vitest';
import { imageKey, imageRecipes, normalizeRef, umociConfigArgs } from './images.ts';
import { wordpressRecipes } from './runtime-images.ts';

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

  it('builds WordPress from the Debian suite of its PHP version, once per pinned reference', () => {
    const [wordpress, ...others] = wordpressRecipes(parsePlatformConfig({}));
    expect(others).toEqual([]);
    expect(wordpress).toMatchObject({
      name: 'wordpress',
      ref: 'docker.io/library/wordpress:6.8.1-php8.4-fpm-alpine',
      suite: 'trixie',
      config: { entrypoint: ['/usr/local/bin/docker-entrypoint.sh'], cmd: ['php-fpm'], user: '82:82' },
    });
    expect(wordpress?.packages).toContain('php8.4-mysql');
    expect(imageRecipes().map((r) => r.name)).toContain('wordpress');
    // A version with its own WordPress reference gets its own image from its own suite.
    const config = parsePlatformConfig({
      php: {
        versions: [
          { version: '8.2', image: 'php:8.2.28-fpm', wordpressImage: 'wordpress:6.8.1-php8.2-fpm' },
          { version: '8.4', image: 'php:8.4.8-fpm', wordpressImage: 'wordpress:6.8.1-php8.4-fpm' },
        ],
      },
    });
    expect(wordpressRecipes(config).map((r) => [r.name, r.suite, r.ref])).toEqual([
      ['wordpress', 'trixie', config.images.wordpress],
      ['wordpress-8.2', 'bookworm', 'wordpress:6.8.1-php8.2-fpm'],
      ['wordpress-8.4', 'trixie', 'wordpress:6.8.1-php8.4-fpm'],
    ]);
  });
});
