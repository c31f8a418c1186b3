// biome-ignore-all lint/suspicious/noExplicitAny: these assertions read nested fields of plain manifest JSON
import { describe, expect, it } from 'vitest';
import { desiredTenantObjects } from './desired.ts';
import { site, snapshot, testConfig } from './fixtures.ts';
import { phpIssues, wordpressImageOf } from './php.ts';
import { PHP_READY_DIR, PHP_READY_KEY, PHP_READY_PATH } from './php-ready.ts';
import type { TenantPlatformConfig } from './types.ts';

const WP84 = 'docker.io/library/wordpress:6.8.1-php8.4-fpm-alpine';
const withWordpress84: TenantPlatformConfig = {
  ...testConfig,
  php: {
    ...testConfig.php,
    versions: testConfig.php.versions.map((v) => (v.version === '8.4' ? { ...v, wordpressImage: WP84 } : v)),
  },
};
const limits = {} as Parameters<typeof phpIssues>[1];

function objectsOf(config: TenantPlatformConfig, phpVersion: string | null = null) {
  const objects = desiredTenantObjects(
    snapshot({
      sites: [
        site({ name: 'blog', template: 'wordpress', database: true, databasePassword: 'pw', phpVersion }),
      ],
    }),
    config,
  );
  return (kind: string, name: string): any =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
}

describe('wordpress sites', () => {
  it('choose a PHP version only when the platform has a WordPress image for it', () => {
    expect(phpIssues({ template: 'wordpress', phpVersion: '8.4' }, limits, withWordpress84)).toEqual([]);
    expect(phpIssues({ template: 'wordpress', phpVersion: '8.2' }, limits, withWordpress84)).toEqual([
      { path: ['phpVersion'], message: 'no WordPress image for PHP 8.2; this platform has 8.4' },
    ]);
    expect(phpIssues({ template: 'wordpress', phpVersion: '8.4' }, limits, testConfig)[0]?.message).toMatch(
      /no WordPress image per PHP version/,
    );
  });

  it("run their version's WordPress image, or the pinned one without a version", () => {
    expect(wordpressImageOf({ phpVersion: '8.4' }, withWordpress84)).toBe(WP84);
    expect(wordpressImageOf({ phpVersion: null }, withWordpress84)).toBe(testConfig.images.wordpress);
    // A version dropped from the config keeps the pinned image rather than failing.
    expect(wordpressImageOf({ phpVersion: '8.1' }, withWordpress84)).toBe(testConfig.images.wordpress);
    const byName = objectsOf(withWordpress84, '8.4');
    const containers = byName('Deployment', 'blog').spec.template.spec.containers;
    expect(containers.find((c: any) => c.name === 'wordpress').image).toBe(WP84);
  });

  it('are ready only when php-fpm runs PHP that reaches the database; liveness stays on nginx', () => {
    const byName = objectsOf(testConfig);
    const pod = byName('Deployment', 'blog').spec.template.spec;
    const nginx = pod.containers.find((c: any) => c.name === 'nginx');
    expect(nginx.readinessProbe.httpGet.path).toBe(PHP_READY_PATH);
    expect(nginx.livenessProbe.httpGet.path).toBe('/healthz');
    expect(nginx.startupProbe.httpGet.path).toBe('/healthz');
    // nginx hands the probe to php-fpm with the script the wordpress container mounts from the ConfigMap.
    const configMap = byName('ConfigMap', 'blog-nginx');
    expect(configMap.data['default.conf']).toContain(`location = ${PHP_READY_PATH} {`);
    expect(configMap.data['default.conf']).toContain(
      `fastcgi_param SCRIPT_FILENAME ${PHP_READY_DIR}/${PHP_READY_KEY};`,
    );
    expect(configMap.data[PHP_READY_KEY]).toMatch(/real_connect/);
    const wordpress = pod.containers.find((c: any) => c.name === 'wordpress');
    const mount = wordpress.volumeMounts.find((m: any) => m.mountPath === PHP_READY_DIR);
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap).toEqual({
      name: 'blog-nginx',
      items: [{ key: PHP_READY_KEY, path: PHP_READY_KEY }],
    });
  });

  it('give the php template a readiness that runs PHP, without the database check', () => {
    const objects = desiredTenantObjects(
      snapshot({ sites: [site({ name: 'app', template: 'php' })] }),
      testConfig,
    );
    const deployment: any = objects.find((o) => o.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    const nginx = pod.containers.find((c: any) => c.name === 'nginx');
    expect(nginx.readinessProbe.httpGet.path).toBe(PHP_READY_PATH);
    expect(nginx.livenessProbe.httpGet.path).toBe('/healthz');
    const configMap: any = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'app-nginx');
    expect(Object.keys(configMap.data).sort()).toEqual(['default.conf', PHP_READY_KEY]);
    expect(configMap.data[PHP_READY_KEY]).toContain('echo "ok\\n";');
    expect(configMap.data[PHP_READY_KEY]).not.toMatch(/mysqli|real_connect/);
    const fpm = pod.containers.find((c: any) => c.name === 'php-fpm');
    expect(fpm.volumeMounts).toContainEqual({ name: 'php-ready', mountPath: PHP_READY_DIR, readOnly: true });
  });
});
