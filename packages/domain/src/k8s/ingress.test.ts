// biome-ignore-all lint/suspicious/noExplicitAny: these assertions read nested fields of plain manifest JSON
import { describe, expect, it } from 'vitest';
import { desiredTenantObjects } from './desired.ts';
import { site, snapshot, testConfig } from './fixtures.ts';
import type { KubeObject } from './types.ts';

const one = (overrides = {}) => snapshot({ sites: [site({ name: 'home', www: true })], ...overrides });

function ingresses(objects: KubeObject[]) {
  return objects
    .filter((o) => o.kind === 'Ingress')
    .map((o) => ({
      name: o.metadata.name,
      annotations: o.metadata.annotations,
      hosts: ((o.spec as any).rules as any[]).map((r) => r.host),
      tls: (o.spec as any).tls,
      backend: (o.spec as any).rules[0].http.paths[0].backend.service.name,
    }));
}

describe('site ingresses and domain ownership', () => {
  const domain = (name: string, verified: boolean) => ({
    name,
    dns: true,
    mail: false,
    dnssec: false,
    verified,
    records: [],
    dkim: null,
  });

  it('routes no host of an unverified domain (no rule, no certificate)', () => {
    const objects = desiredTenantObjects(one({ domains: [domain('example.com', false)] }), testConfig, {
      'home.example.com': true,
      'www.home.example.com': true,
    });
    expect(ingresses(objects)).toEqual([]);
    expect(objects.some((o) => o.kind === 'Middleware')).toBe(false);
  });

  it('routes only the hosts under a verified domain of the customer', () => {
    const snap = snapshot({
      sites: [site({ name: 'home', domains: ['home.example.com', 'shop.other.com'] })],
      domains: [domain('example.com', true), domain('other.com', false)],
    });
    expect(ingresses(desiredTenantObjects(snap, testConfig, {})).flatMap((i) => i.hosts)).toEqual([
      'home.example.com',
    ]);
  });

  it('stops routing a host once its domain is deleted', () => {
    expect(ingresses(desiredTenantObjects(one({ domains: [] }), testConfig, {}))).toEqual([]);
  });
});

describe('site ingresses and DNS', () => {
  it('serves every host over plain HTTP while none resolves to the platform', () => {
    const objects = desiredTenantObjects(one(), testConfig, {});
    expect(ingresses(objects)).toEqual([
      {
        name: 'home-http',
        annotations: { 'traefik.ingress.kubernetes.io/router.entrypoints': 'web' },
        hosts: ['home.example.com', 'www.home.example.com'],
        tls: undefined,
        backend: 'home',
      },
    ]);
    expect(objects.some((o) => o.kind === 'Middleware')).toBe(false);
  });

  it('adds the certresolver and the redirect only for hosts that resolve', () => {
    const objects = desiredTenantObjects(one(), testConfig, {
      'home.example.com': true,
      'www.home.example.com': false,
    });
    expect(ingresses(objects)).toEqual([
      {
        name: 'home',
        annotations: {
          'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
          'traefik.ingress.kubernetes.io/router.tls': 'true',
          'traefik.ingress.kubernetes.io/router.tls.certresolver': 'letsencrypt',
        },
        hosts: ['home.example.com'],
        tls: [{ hosts: ['home.example.com'] }],
        backend: 'home',
      },
      {
        name: 'home-http',
        annotations: { 'traefik.ingress.kubernetes.io/router.entrypoints': 'web' },
        hosts: ['www.home.example.com'],
        tls: undefined,
        backend: 'home',
      },
      {
        name: 'home-redirect',
        annotations: {
          'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
          'traefik.ingress.kubernetes.io/router.middlewares': 'cust-1001-https-redirect@kubernetescrd',
        },
        hosts: ['home.example.com'],
        tls: undefined,
        backend: 'home',
      },
    ]);
    const middleware = objects.find((o) => o.kind === 'Middleware');
    expect(middleware?.spec).toEqual({ redirectScheme: { scheme: 'https', permanent: true } });
  });
});

describe('wildcard hosts', () => {
  it('get their own Ingress with the DNS-01 resolver; ordinary hosts keep HTTP-01; one redirect for all', () => {
    const snap = snapshot({
      sites: [site({ name: 'shop', domains: ['*.shop.example.com', 'shop.example.com'] })],
    });
    const resolution = { '*.shop.example.com': true, 'shop.example.com': true };
    const found = ingresses(desiredTenantObjects(snap, testConfig, resolution));
    expect(
      found.map((i) => [
        i.name,
        i.hosts,
        i.annotations?.['traefik.ingress.kubernetes.io/router.tls.certresolver'],
      ]),
    ).toEqual([
      ['shop', ['shop.example.com'], 'letsencrypt'],
      ['shop-redirect', ['*.shop.example.com', 'shop.example.com'], undefined],
      ['shop-wildcard', ['*.shop.example.com'], 'letsencrypt-dns'],
    ]);
    expect(found[2]?.tls).toEqual([{ hosts: ['*.shop.example.com'] }]);
    expect(found[2]?.annotations?.['traefik.ingress.kubernetes.io/router.tls.domains.0.main']).toBe(
      '*.shop.example.com',
    );
  });
});

describe('suspend', () => {
  const withDb = site({ name: 'home', database: true, databasePassword: 'pw', replicas: 3 });

  it('scales every workload to zero and routes hosts to the suspended page', () => {
    const objects = desiredTenantObjects(snapshot({ suspended: true, sites: [withDb] }), testConfig, {});
    const replicas = objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .map((o) => (o.spec as any).replicas);
    expect(replicas).toEqual([0, 0]);
    expect(ingresses(objects).map((i) => i.backend)).toEqual(['suspended-page']);
    const page = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'suspended-page');
    expect(page?.spec).toEqual({
      type: 'ExternalName',
      externalName: 'suspended-page.panel-system.svc.cluster.local',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  });

  it('unsuspend restores the replicas and drops the alias', () => {
    const objects = desiredTenantObjects(snapshot({ suspended: false, sites: [withDb] }), testConfig, {});
    expect(objects.find((o) => o.kind === 'Deployment')?.spec).toMatchObject({ replicas: 3 });
    expect(objects.some((o) => o.metadata.name === 'suspended-page')).toBe(false);
  });
});
