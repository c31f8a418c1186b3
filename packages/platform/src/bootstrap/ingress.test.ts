import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { acmeStorageFile } from '../traefik/static-config.ts';
import { TRAEFIK_IMAGE } from '../traefik/version.ts';
import { dnsSystem } from './dns.ts';
import { INGRESS_NAMESPACE, ingressSystem, MAIL_ENTRYPOINTS } from './ingress.ts';

const secrets = Object.fromEntries(
  [
    'pdnsApiKey',
    'pdnsDbPassword',
    'mailDbRootPassword',
    'mailDbPassword',
    'mailDbReadonlyPassword',
    'postgresPassword',
    'panelSecretKey',
    'grafanaAdminPassword',
  ].map((k) => [k, `secret-${k}-0123456789`]),
);
const TSIG = 'c2VjcmV0LXRzaWcta2V5LW9mLWF0LWxlYXN0LTMyLWJ5dGVz';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const base = {
  hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
  acme: { email: 'hostmaster@example.net' },
  backup: { bucket: 'backups', accessKeyId: 'AKIA', secretAccessKey: 'shh' },
  secrets,
};
const plain = ingressSystem(parseBootstrapConfig({ bootstrap: base }));
const dns01Config = parseBootstrapConfig({
  bootstrap: {
    ...base,
    acme: { ...base.acme, trustedRootsPem: PEM },
    secrets: { ...secrets, acmeTsigSecret: TSIG },
  },
});
const withDns01 = ingressSystem(dns01Config);
// biome-ignore lint/suspicious/noExplicitAny: tests read deep manifest fields without retyping each kind
type Manifest = Record<string, any>;
const find = (objects: Manifest[], kind: string, name: string): Manifest => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const staticConfig = (objects: Manifest[]) =>
  parse(find(objects, 'ConfigMap', 'traefik').data['traefik.yaml']);

describe('ingress-system: Traefik rendered by the platform', () => {
  it('web and websecure entry points on unprivileged ports, websecure with TLS, the mail ports as TCP', () => {
    const c = staticConfig(plain);
    expect(c.entryPoints.web).toEqual({ address: ':8000' });
    expect(c.entryPoints.websecure).toEqual({ address: ':8443', http: { tls: {} } });
    for (const e of MAIL_ENTRYPOINTS) expect(c.entryPoints[e.name]).toEqual({ address: `:${e.port}` });
    expect(Object.keys(c.entryPoints).sort()).toEqual(
      ['internal', 'web', 'websecure', 'dns-udp', 'dns-tcp', ...MAIL_ENTRYPOINTS.map((e) => e.name)].sort(),
    );
  });

  it('a DNS entry point on UDP and TCP (53 on the Service) routed to PowerDNS, only with the dns step', () => {
    const c = staticConfig(plain);
    expect(c.entryPoints['dns-udp']).toEqual({ address: ':1053/udp' });
    expect(c.entryPoints['dns-tcp']).toEqual({ address: ':1053' });
    const ports = find(plain, 'Service', 'traefik').spec.ports;
    expect(ports).toContainEqual({ name: 'dns-udp', port: 53, targetPort: 1053, protocol: 'UDP' });
    expect(ports).toContainEqual({ name: 'dns-tcp', port: 53, targetPort: 1053, protocol: 'TCP' });
    expect(find(plain, 'IngressRouteUDP', 'dns-udp')).toMatchObject({
      metadata: { namespace: 'dns-system' },
      spec: { entryPoints: ['dns-udp'], routes: [{ services: [{ name: 'pdns', port: 53 }] }] },
    });
    expect(find(plain, 'IngressRouteTCP', 'dns-tcp')).toMatchObject({
      metadata: { namespace: 'dns-system' },
      spec: { entryPoints: ['dns-tcp'], routes: [{ services: [{ name: 'pdns', port: 53 }] }] },
    });
    // A node-bound install (hostPorts) binds it on the node too, both protocols.
    const bound = ingressSystem(
      parseBootstrapConfig({
        bootstrap: {
          ...base,
          edge: { serviceType: 'ClusterIP', hostPorts: { web: 80, websecure: 443, dns: 53 } },
        },
      }),
    );
    const container = find(bound, 'Deployment', 'traefik').spec.template.spec.containers[0];
    expect(container.ports.filter((p: Manifest) => p.containerPort === 1053)).toEqual([
      { name: 'dns-udp', containerPort: 1053, protocol: 'UDP', hostPort: 53 },
      { name: 'dns-tcp', containerPort: 1053, protocol: 'TCP', hostPort: 53 },
    ]);
    // Without PowerDNS in the cluster there is no DNS entry point.
    const noDns = ingressSystem(
      parseBootstrapConfig({ bootstrap: { ...base, steps: ['ingress', 'panel'] } }),
    );
    expect(staticConfig(noDns).entryPoints['dns-udp']).toBeUndefined();
    expect(noDns.some((o) => o.kind === 'IngressRouteUDP')).toBe(false);
  });

  it('watches Ingresses of its class and the traefik.io CRDs, ExternalName allowed, no cross-namespace, 503 for a site with no ready pod', () => {
    const { providers } = staticConfig(plain);
    expect(providers.kubernetesIngress).toEqual({
      ingressClass: 'traefik',
      allowExternalNameServices: true,
      allowEmptyServices: true,
      ingressEndpoint: { publishedService: 'ingress-system/traefik' },
    });
    expect(providers.kubernetesCRD).toEqual({
      allowCrossNamespace: false,
      allowExternalNameServices: true,
      allowEmptyServices: true,
    });
    expect(find(plain, 'IngressClass', 'traefik').spec).toEqual({
      controller: 'traefik.io/ingress-controller',
    });
  });

  it('HTTP-01 resolver on the web entry point; no DNS-01 resolver without a TSIG secret', () => {
    const { certificatesResolvers } = staticConfig(plain);
    expect(certificatesResolvers).toEqual({
      letsencrypt: {
        acme: {
          email: 'hostmaster@example.net',
          caServer: 'https://acme-v02.api.letsencrypt.org/directory',
          keyType: 'EC256',
          storage: '/data/acme-letsencrypt.json',
          httpChallenge: { entryPoint: 'web' },
        },
      },
    });
  });

  it('DNS-01 through RFC 2136 to PowerDNS with the TSIG key; the secret only in a Secret', () => {
    const c = staticConfig(withDns01);
    expect(c.certificatesResolvers['letsencrypt-dns'].acme).toMatchObject({
      storage: '/data/acme-letsencrypt-dns.json',
      dnsChallenge: { provider: 'rfc2136', resolvers: ['pdns.dns-system.svc.cluster.local:53'] },
    });
    const container = find(withDns01, 'Deployment', 'traefik').spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      RFC2136_NAMESERVER: 'pdns.dns-system.svc.cluster.local:53',
      RFC2136_TSIG_KEY: 'hostplane-acme',
      RFC2136_TSIG_ALGORITHM: 'hmac-sha256.',
      RFC2136_TSIG_SECRET: { secretKeyRef: { name: 'traefik-dns01', key: 'tsig-secret' } },
      LEGO_CA_CERTIFICATES: '/etc/acme-roots/roots.pem',
    });
    expect(JSON.stringify(withDns01.filter((o) => o.kind !== 'Secret'))).not.toContain(TSIG);
    expect(find(withDns01, 'ConfigMap', 'acme-roots').data['roots.pem']).toBe(PEM);
  });

  it('JSON access log without cookies or credentials, Prometheus metrics and ping on the internal entry point', () => {
    const c = staticConfig(plain);
    expect(c.accessLog.format).toBe('json');
    expect(c.accessLog.fields.headers.defaultMode).toBe('drop');
    expect(c.metrics).toEqual({ prometheus: { entryPoint: 'internal', addRoutersLabels: true } });
    expect(c.ping).toEqual({ entryPoint: 'internal' });
    expect(c.api).toEqual({ dashboard: false });
    const container = find(plain, 'Deployment', 'traefik').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ping', port: 9100 });
    const servicePorts = find(plain, 'Service', 'traefik').spec.ports.map((p: Manifest) => p.targetPort);
    expect(servicePorts).not.toContain(9100);
  });

  it('one replica of the pinned image, restricted pod, ACME store on its volume, config hash rolls the pod', () => {
    const d = find(plain, 'Deployment', 'traefik');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    expect(pod.containers[0].image).toBe(TRAEFIK_IMAGE);
    expect(pod.serviceAccountName).toBe('traefik');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect(pod.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'traefik-acme' },
    });
    const other = find(withDns01, 'Deployment', 'traefik').spec.template.metadata.annotations;
    expect(d.spec.template.metadata.annotations['hostplane.io/config-hash']).not.toBe(
      other['hostplane.io/config-hash'],
    );
  });

  it('the HTTP → HTTPS redirect Middleware for the platform hosts, and PROXY v2 for every mail route', () => {
    expect(find(plain, 'Middleware', 'https-redirect')).toMatchObject({
      metadata: { namespace: INGRESS_NAMESPACE },
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    });
    for (const e of MAIL_ENTRYPOINTS) {
      const route = find(plain, 'IngressRouteTCP', e.name);
      expect(route.spec.entryPoints).toEqual([e.name]);
      expect(route.spec.routes[0].services[0].serversTransport).toBe('proxy-protocol');
    }
  });

  it('ships the CRDs of the pinned Traefik before any object of their kinds', () => {
    const crds = plain.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(
      [
        'ingressroutes',
        'ingressroutetcps',
        'ingressrouteudps',
        'middlewares',
        'middlewaretcps',
        'serverstransports',
        'serverstransporttcps',
        'tlsoptions',
        'tlsstores',
        'traefikservices',
      ].map((p) => `${p}.traefik.io`),
    );
    const lastCrd = plain.findLastIndex((o) => o.kind === 'CustomResourceDefinition');
    const firstCustom = plain.findIndex((o) => o.apiVersion.startsWith('traefik.io/'));
    expect(lastCrd).toBeLessThan(firstCustom);
    const kinds = new Set(crds.map((c) => (c as Manifest).spec.names.kind));
    for (const o of plain.filter((x) => x.apiVersion.startsWith('traefik.io/')))
      expect(kinds).toContain(o.kind);
  });

  it('PowerDNS takes the edge DNS-01 updates: policy script, TSIG key imported from the Secret', () => {
    const dns = dnsSystem(dns01Config);
    const cm = find(dns, 'ConfigMap', 'pdns-config').data;
    expect(cm['pdns.conf']).toContain('lua-dnsupdate-policy-script=/etc/pdns/acme-update-policy.lua');
    expect(cm['acme-update-policy.lua']).toContain('"hostplane-acme"');
    expect(JSON.stringify(cm)).not.toContain(TSIG);
    const init = find(dns, 'Deployment', 'pdns').spec.template.spec.initContainers.map(
      (c: Manifest) => c.name,
    );
    expect(init).toEqual(['schema-source', 'schema', 'acme-tsig']);
    const plainDns = dnsSystem(parseBootstrapConfig({ bootstrap: base }));
    expect(find(plainDns, 'ConfigMap', 'pdns-config').data['pdns.conf']).not.toContain('dnsupdate');
  });

  it('acme storage: one file per resolver', () => {
    expect(acmeStorageFile('/data/acme.json', 'le')).toBe('/data/acme-le.json');
    expect(acmeStorageFile('/var/lib/acme', 'le')).toBe('/var/lib/acme-le');
    expect(acmeStorageFile('/a.b/acme', 'le')).toBe('/a.b/acme-le');
  });
});
