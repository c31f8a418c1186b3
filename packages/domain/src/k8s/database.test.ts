// biome-ignore-all lint/suspicious/noExplicitAny: these assertions read nested fields of plain manifest JSON
import { describe, expect, it } from 'vitest';
import { desiredTenantObjects } from './desired.ts';
import { site, snapshot, testConfig } from './fixtures.ts';

const objects = desiredTenantObjects(
  snapshot({
    sites: [
      site({ name: 'my-shop', template: 'wordpress', database: true, databasePassword: 'pw-from-row' }),
    ],
  }),
  testConfig,
);
const byName = (kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('database objects', () => {
  it('stores the row password and connection settings in a Secret', () => {
    const secret = byName('Secret', 'my-shop-db');
    const data = Object.fromEntries(
      Object.entries(secret?.data as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString(),
      ]),
    );
    expect(data).toEqual({
      database: 'my_shop',
      host: 'my-shop-db',
      password: 'pw-from-row',
      port: '3306',
      username: 'my_shop',
    });
  });

  it('has a headless Service selecting the database pod', () => {
    expect(byName('Service', 'my-shop-db')?.spec).toMatchObject({
      clusterIP: 'None',
      selector: { 'hostplane.io/site': 'my-shop', 'hostplane.io/component': 'database' },
    });
  });

  it('runs MariaDB from the pinned image with a labelled volume claim template', () => {
    const spec = byName('StatefulSet', 'my-shop-db')?.spec as any;
    expect(spec.template.spec.containers[0].image).toBe(testConfig.images.mariadb);
    expect(spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'longhorn',
      resources: { requests: { storage: '2Gi' } },
    });
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
  });

  it('gives WordPress its database settings from the Secret, never inline', () => {
    const web = byName('Deployment', 'my-shop')?.spec as any;
    const wp = web.template.spec.containers.find((c: any) => c.name === 'wordpress');
    expect(wp.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.name])).toEqual([
      ['WORDPRESS_DB_HOST', 'my-shop-db'],
      ['WORDPRESS_DB_NAME', 'my-shop-db'],
      ['WORDPRESS_DB_PASSWORD', 'my-shop-db'],
      ['WORDPRESS_DB_USER', 'my-shop-db'],
    ]);
  });

  it('refuses a database without a stored password', () => {
    const broken = snapshot({ sites: [site({ name: 'x', database: true, databasePassword: null })] });
    expect(() => desiredTenantObjects(broken, testConfig)).toThrow(/databasePassword/);
  });
});
