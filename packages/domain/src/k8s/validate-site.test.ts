import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.ts';
import { type SiteRestrictedInput, siteNameIssues, validateSiteForRestricted } from './validate-site.ts';

describe('validateSiteForRestricted', () => {
  it.each<[string, SiteRestrictedInput, (string | number)[][]]>([
    ['a static site', { template: 'static' }, []],
    ['a custom image on a high port', { template: 'image', image: 'ghcr.io/acme/api:1.2.3', port: 3000 }, []],
    [
      'an image with a registry port and digest',
      { template: 'image', image: `registry.local:5000/app@sha256:${'a'.repeat(64)}`, port: 8080 },
      [],
    ],
    [
      'the unprivileged nginx',
      { template: 'image', image: 'nginxinc/nginx-unprivileged:1.28', port: 8080 },
      [],
    ],
    ['php-fpm', { template: 'image', image: 'php:8.3-fpm-alpine', port: 9000 }, []],
    ['no image', { template: 'image', port: 8080 }, [['image']]],
    ['no port', { template: 'image', image: 'ghcr.io/acme/api:1' }, [['port']]],
    ['a privileged port', { template: 'image', image: 'ghcr.io/acme/api:1', port: 80 }, [['port']]],
    ['an invalid reference', { template: 'image', image: 'Not An Image', port: 8080 }, [['image']]],
    ['the root-only nginx', { template: 'image', image: 'nginx:1.27', port: 8080 }, [['image']]],
    [
      'nginx from docker.io/library',
      { template: 'image', image: 'docker.io/library/nginx', port: 8080 },
      [['image']],
    ],
    ['php with apache', { template: 'image', image: 'php:8.3-apache', port: 8080 }, [['image']]],
    [
      'uid 0',
      { template: 'image', image: 'ghcr.io/a/b:1', port: 8080, securityContext: { runAsUser: 0 } },
      [['securityContext', 'runAsUser']],
    ],
    [
      'privileged',
      { template: 'static', securityContext: { privileged: true } },
      [['securityContext', 'privileged']],
    ],
    [
      'root by every means',
      {
        template: 'static',
        securityContext: {
          runAsNonRoot: false,
          runAsGroup: 0,
          allowPrivilegeEscalation: true,
          capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] },
        },
      },
      [
        ['securityContext', 'runAsGroup'],
        ['securityContext', 'runAsNonRoot'],
        ['securityContext', 'allowPrivilegeEscalation'],
        ['securityContext', 'capabilities', 'add', 1],
      ],
    ],
  ])('%s', (_, input, paths) => {
    const issues = validateSiteForRestricted(input);
    expect(issues.map((issue) => issue.path)).toEqual(paths);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(10);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1Gi', 2 ** 30],
    ['1.5G', 1.5e9],
    ['64Mi', 64 * 2 ** 20],
  ])('%s = %d', (quantity, value) => {
    expect(parseQuantity(quantity)).toBe(value);
  });

  it('refuses what is not a quantity', () => {
    expect(() => parseQuantity('two')).toThrow(/quantity/);
  });
});

describe('siteNameIssues', () => {
  it.each([
    ['blog', 0],
    ['my-shop-2', 0],
    ['a'.repeat(40), 0],
    ['a'.repeat(41), 1],
    ['2fast', 1],
    ['ends-', 1],
    ['Upper', 1],
  ])('%s → %d issue(s)', (name, count) => {
    expect(siteNameIssues(name)).toHaveLength(count);
  });
});
