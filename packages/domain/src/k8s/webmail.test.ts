import { describe, expect, it } from 'vitest';
import { desiredTenantObjects, tenantHosts } from './desired.ts';
import { snapshot, testConfig } from './fixtures.ts';
import type { KubeObject } from './types.ts';
import { siteNameIssues } from './validate-site.ts';
import { webmailHosts } from './webmail.ts';

// Issue 17: webmail.{domain} as a host of the platform webmail, routed from the tenant namespace.

const withWebmail = (over: Parameters<typeof snapshot>[0] = {}) =>
  snapshot({
    sites: [],
    domains: [
      {
        name: 'example.com',
        dns: true,
        mail: true,
        dnssec: false,
        webmail: true,
        verified: true,
        records: [],
        dkim: null,
      },
      {
        name: 'plain.example',
        dns: true,
        mail: true,
        dnssec: false,
        verified: true,
        records: [],
        dkim: null,
      },
      {
        name: 'unproven.example',
        dns: true,
        mail: true,
        dnssec: false,
        webmail: true,
        verified: false,
        records: [],
        dkim: null,
      },
    ],
    ...over,
  });

const named = (objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found as KubeObject & { spec: Record<string, unknown> };
};

describe('webmail hosts of customer domains', () => {
  it('are webmail.{domain} of verified domains with webmail on, and are resolved like site hosts', () => {
    expect(webmailHosts(withWebmail())).toEqual(['webmail.example.com']);
    expect(tenantHosts(withWebmail())).toEqual(['webmail.example.com']);
    expect(webmailHosts(snapshot())).toEqual([]);
  });

  it('route through an ExternalName Service to the platform webmail, with TLS once DNS points here', () => {
    const objects = desiredTenantObjects(withWebmail(), testConfig, { 'webmail.example.com': true });
    expect(find(objects, 'Service', 'webmail').spec).toEqual({
      type: 'ExternalName',
      externalName: 'webmail.mail-system.svc.cluster.local',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
    expect(named(objects, 'Ingress')).toEqual(['hostplane.webmail', 'hostplane.webmail-redirect']);
    const secure = find(objects, 'Ingress', 'hostplane.webmail');
    expect(secure.spec).toEqual({
      ingressClassName: 'traefik',
      rules: [
        {
          host: 'webmail.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'webmail', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
      tls: [{ hosts: ['webmail.example.com'] }],
    });
    expect(secure.metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/router.tls.certresolver': 'letsencrypt',
    });
    expect(named(objects, 'Middleware')).toEqual(['https-redirect']);
    expect(find(objects, 'Ingress', 'hostplane.webmail-redirect').metadata.labels).toMatchObject({
      'customer-id': '1001',
    });
  });

  it('serve plain HTTP while DNS does not point at the platform yet', () => {
    const objects = desiredTenantObjects(withWebmail(), testConfig, {});
    expect(named(objects, 'Ingress')).toEqual(['hostplane.webmail-http']);
    expect(named(objects, 'Middleware')).toEqual([]);
  });

  it('go to the suspended page while the customer is suspended', () => {
    const objects = desiredTenantObjects(withWebmail({ suspended: true }), testConfig, {
      'webmail.example.com': true,
    });
    expect(named(objects, 'Service')).toEqual(['suspended-page']);
    const rule = (find(objects, 'Ingress', 'hostplane.webmail').spec.rules as { http: unknown }[])[0];
    expect(rule?.http).toEqual({
      paths: [
        {
          path: '/',
          pathType: 'Prefix',
          backend: { service: { name: 'suspended-page', port: { number: 8080 } } },
        },
      ],
    });
  });

  it('leave nothing behind when turned off, and is deterministic', () => {
    const off = desiredTenantObjects(withWebmail({ domains: [] }), testConfig, {});
    expect(named(off, 'Ingress')).toEqual([]);
    expect(named(off, 'Service')).toEqual([]);
    expect(desiredTenantObjects(withWebmail(), testConfig, {})).toEqual(
      desiredTenantObjects(withWebmail(), testConfig, {}),
    );
  });

  it('reserves the site name "webmail"', () => {
    expect(siteNameIssues('webmail')).toEqual([
      { path: ['name'], message: '"webmail" is reserved for the platform\'s webmail' },
    ]);
  });
});
