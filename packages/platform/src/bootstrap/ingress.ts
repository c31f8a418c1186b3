import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dns01Resolver, type KubeObject } from '@hostplane/domain';
import { parseAllDocuments } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { ACME_TSIG_KEY_NAME } from '../pdns/render.ts';
import {
  type Dns01Credentials,
  renderTraefikYaml,
  type TraefikStaticSettings,
  traefikDns01Env,
} from '../traefik/static-config.ts';
import { TRAEFIK_CRD_FILE } from '../traefik/version.ts';
import {
  configMap,
  env,
  envFromSecret,
  MANAGED,
  meta,
  namespace,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  workload,
} from './common.ts';
import { DNS_NAMESPACE } from './dns.ts';
import { MAIL_NAMESPACE, MAIL_PORTS } from './mail.ts';

export const INGRESS_NAMESPACE = 'ingress-system';
const APP = 'traefik';
const TRAEFIK_UID = 65532;
const CONFIG_DIR = '/etc/traefik';
const DATA_DIR = '/data';
const ACME_ROOTS_DIR = '/etc/acme-roots';
/** Only the ping and metrics listen here; the Service never exposes it. */
export const INTERNAL_PORT = 9100;
export const WEB_PORT = 8000;
export const WEBSECURE_PORT = 8443;
/** https-redirect@kubernetescrd in ingress-system, for the platform's own hosts. */
export const PLATFORM_REDIRECT_MIDDLEWARE = 'https-redirect';

/** Mail entry points: unprivileged port in the pod, the well-known one on the Service. */
export const MAIL_ENTRYPOINTS = [
  { name: 'smtp', port: 2525, service: 'postfix' },
  { name: 'submission', port: 5587, service: 'postfix' },
  { name: 'smtps', port: 4465, service: 'postfix' },
  { name: 'imap', port: 1143, service: 'dovecot' },
  { name: 'imaps', port: 1993, service: 'dovecot' },
  { name: 'pop3', port: 1110, service: 'dovecot' },
  { name: 'pop3s', port: 1995, service: 'dovecot' },
] as const;

/**
 * The DNS entry point: PowerDNS (dns-system) answers the outside through Traefik, on UDP and TCP, at the
 * same public addresses as the web and mail (the LoadBalancer Service or the hostPorts): the NS records
 * the platform publishes point at publicAddresses. Why not a hostPort on the pdns pods: two replicas
 * cannot bind one node's port 53 (one would stay Pending on a single node); a NodePort cannot be 53.
 */
export const DNS_ENTRYPOINTS = { udp: 'dns-udp', tcp: 'dns-tcp', port: 1053 } as const;

/** The static configuration of the in-cluster Traefik (the local stack renders its own addresses). */
export function clusterTraefikSettings(config: BootstrapConfig): TraefikStaticSettings {
  const { acme } = config.bootstrap;
  return {
    web: { name: config.ingress.webEntrypoint, address: `:${WEB_PORT}` },
    websecure: { name: config.ingress.websecureEntrypoint, address: `:${WEBSECURE_PORT}` },
    internal: { name: 'internal', address: `:${INTERNAL_PORT}` },
    tcp: [
      ...MAIL_ENTRYPOINTS.map((e) => ({ name: e.name, address: `:${e.port}` })),
      ...(servesDns(config) ? [{ name: DNS_ENTRYPOINTS.tcp, address: `:${DNS_ENTRYPOINTS.port}` }] : []),
    ],
    ...(servesDns(config)
      ? { udp: [{ name: DNS_ENTRYPOINTS.udp, address: `:${DNS_ENTRYPOINTS.port}` }] }
      : {}),
    ingressClass: config.ingress.className,
    publishedService: `${INGRESS_NAMESPACE}/${APP}`,
    acme: {
      email: acme.email,
      caServer: acme.caServer,
      storage: `${DATA_DIR}/acme.json`,
      httpResolver: config.ingress.certResolver,
      ...(config.bootstrap.secrets.acmeTsigSecret
        ? {
            dns01: {
              resolver: dns01Resolver(config.ingress.certResolver),
              resolvers: [clusterDns01Credentials(config).nameserver],
              checkPropagation: true,
            },
          }
        : {}),
    },
    logLevel: 'INFO',
  };
}

/** This install runs PowerDNS in the cluster (the dns step): the edge carries its DNS entry point. */
function servesDns(config: BootstrapConfig): boolean {
  return config.bootstrap.steps.includes('dns');
}

function clusterDns01Credentials(config: BootstrapConfig): Dns01Credentials {
  return {
    nameserver: `pdns.${DNS_NAMESPACE}.svc.${config.clusterDomain}:53`,
    tsigKeyName: ACME_TSIG_KEY_NAME,
    tsigAlgorithm: 'hmac-sha256',
  };
}

/** traefik.yaml of the ingress-system ConfigMap. */
export function clusterTraefikYaml(config: BootstrapConfig): string {
  return renderTraefikYaml(clusterTraefikSettings(config));
}

/** The CRDs of the pinned Traefik, generated from its module (DESIGN.md §9 "CRDs"). */
export function traefikCrds(): KubeObject[] {
  const text = readFileSync(new URL(`../../${TRAEFIK_CRD_FILE}`, import.meta.url), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJSON() as KubeObject | null)
    .filter((doc): doc is KubeObject => doc !== null);
}

/** The IngressClass Traefik's Ingress provider serves (the cluster's default class). */
export function traefikIngressClass(name: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      labels: { ...MANAGED },
      annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
    },
    spec: { controller: 'traefik.io/ingress-controller' },
  };
}

/** The edge's identity: ServiceAccount ingress-system/traefik and the ClusterRole its providers need. */
export function traefikRbac(): KubeObject[] {
  const read = ['get', 'list', 'watch'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(APP, INGRESS_NAMESPACE, APP) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'hostplane-traefik', labels: { ...MANAGED } },
      // Upstream's kubernetes-crd-rbac.yml of the pinned version, without the pods rule (OTel only).
      rules: [
        { apiGroups: [''], resources: ['services', 'secrets', 'nodes', 'configmaps'], verbs: read },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: read },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
        {
          apiGroups: ['traefik.io'],
          resources: [
            'middlewares',
            'middlewaretcps',
            'ingressroutes',
            'traefikservices',
            'ingressroutetcps',
            'ingressrouteudps',
            'tlsoptions',
            'tlsstores',
            'serverstransports',
            'serverstransporttcps',
          ],
          verbs: read,
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'hostplane-traefik', labels: { ...MANAGED } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hostplane-traefik' },
      subjects: [{ kind: 'ServiceAccount', name: APP, namespace: INGRESS_NAMESPACE }],
    },
  ];
}

function deployment(config: BootstrapConfig, traefikYaml: string): KubeObject {
  const b = config.bootstrap;
  const dns01 = b.secrets.acmeTsigSecret ? traefikDns01Env(clusterDns01Credentials(config)) : {};
  const container = {
    name: APP,
    image: b.systemImages.traefik,
    imagePullPolicy: 'IfNotPresent',
    args: [`--configFile=${CONFIG_DIR}/traefik.yaml`],
    env: [
      ...Object.entries(dns01).map(([k, v]) => env(k, v)),
      ...(b.secrets.acmeTsigSecret
        ? [envFromSecret('RFC2136_TSIG_SECRET', 'traefik-dns01', 'tsig-secret')]
        : []),
      ...(b.acme.trustedRootsPem ? [env('LEGO_CA_CERTIFICATES', `${ACME_ROOTS_DIR}/roots.pem`)] : []),
    ],
    ports: [
      {
        name: 'web',
        containerPort: WEB_PORT,
        ...(b.edge.hostPorts ? { hostPort: b.edge.hostPorts.web } : {}),
      },
      {
        name: 'websecure',
        containerPort: WEBSECURE_PORT,
        ...(b.edge.hostPorts ? { hostPort: b.edge.hostPorts.websecure } : {}),
      },
      { name: 'internal', containerPort: INTERNAL_PORT },
      ...MAIL_ENTRYPOINTS.map((e) => {
        const hostPort = b.edge.hostPorts?.mail?.[e.name];
        return { name: e.name, containerPort: e.port, ...(hostPort ? { hostPort } : {}) };
      }),
      ...(servesDns(config)
        ? (['UDP', 'TCP'] as const).map((protocol) => ({
            name: protocol === 'UDP' ? DNS_ENTRYPOINTS.udp : DNS_ENTRYPOINTS.tcp,
            containerPort: DNS_ENTRYPOINTS.port,
            protocol,
            ...(b.edge.hostPorts?.dns ? { hostPort: b.edge.hostPorts.dns } : {}),
          }))
        : []),
    ],
    securityContext: restrictedContainer,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ping', port: INTERNAL_PORT }, periodSeconds: 5 },
    livenessProbe: {
      httpGet: { path: '/ping', port: INTERNAL_PORT },
      periodSeconds: 20,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'data', mountPath: DATA_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      ...(b.acme.trustedRootsPem ? [{ name: 'acme-roots', mountPath: ACME_ROOTS_DIR, readOnly: true }] : []),
    ],
  };
  const object = workload({
    kind: 'Deployment',
    name: APP,
    ns: INGRESS_NAMESPACE,
    // One replica: the ACME account and certificates live in one acme.json on a ReadWriteOnce volume.
    replicas: 1,
    podSecurity: restrictedPod(TRAEFIK_UID),
    containers: [container],
    volumes: [
      { name: 'config', configMap: { name: APP } },
      { name: 'data', persistentVolumeClaim: { claimName: 'traefik-acme' } },
      ...scratch('tmp'),
      ...(b.acme.trustedRootsPem ? [{ name: 'acme-roots', configMap: { name: 'acme-roots' } }] : []),
    ],
    serviceAccountName: APP,
    hostAliases: b.hostAliases,
    configHash: createHash('sha256')
      .update(`${traefikYaml}\0${b.acme.trustedRootsPem ?? ''}`)
      .digest('hex')
      .slice(0, 16),
  });
  // The volume can be attached to one pod at a time: stop the old pod before the new one starts.
  return { ...object, spec: { ...(object.spec as Record<string, unknown>), strategy: { type: 'Recreate' } } };
}

function edgeService(config: BootstrapConfig): KubeObject {
  const type = config.bootstrap.edge.serviceType;
  const ports = [
    { name: 'web', port: 80, targetPort: WEB_PORT },
    { name: 'websecure', port: 443, targetPort: WEBSECURE_PORT },
    ...MAIL_ENTRYPOINTS.map((e) => ({ name: e.name, port: MAIL_PORTS[e.name], targetPort: e.port })),
    ...(servesDns(config)
      ? [
          { name: DNS_ENTRYPOINTS.udp, port: 53, targetPort: DNS_ENTRYPOINTS.port, protocol: 'UDP' },
          { name: DNS_ENTRYPOINTS.tcp, port: 53, targetPort: DNS_ENTRYPOINTS.port },
        ]
      : []),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(APP, INGRESS_NAMESPACE, APP),
    spec: {
      type,
      // Local keeps the client's address (mail needs it for SPF and rate limits; PROXY carries it on).
      ...(type === 'ClusterIP' ? {} : { externalTrafficPolicy: 'Local' }),
      selector: { 'app.kubernetes.io/name': APP },
      ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    },
  };
}

/** Mail ports forwarded as plain TCP (Postfix and Dovecot do their own TLS) with a PROXY v2 header. */
function mailRoutes(): KubeObject[] {
  const transport: KubeObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'ServersTransportTCP',
    metadata: { name: 'proxy-protocol', namespace: MAIL_NAMESPACE, labels: { ...MANAGED } },
    spec: { proxyProtocol: { version: 2 } },
  };
  const routes = MAIL_ENTRYPOINTS.map(
    (e): KubeObject => ({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRouteTCP',
      metadata: { name: e.name, namespace: MAIL_NAMESPACE, labels: { ...MANAGED } },
      spec: {
        entryPoints: [e.name],
        routes: [
          {
            match: 'HostSNI(`*`)',
            services: [{ name: e.service, port: MAIL_PORTS[e.name], serversTransport: 'proxy-protocol' }],
          },
        ],
      },
    }),
  );
  return [transport, ...routes];
}

/** PowerDNS's DNS through the edge's dns-udp/dns-tcp entry points (in dns-system, next to PowerDNS). */
function dnsRoutes(): KubeObject[] {
  const services = [{ name: 'pdns', port: 53 }];
  return [
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRouteUDP',
      metadata: { name: DNS_ENTRYPOINTS.udp, namespace: DNS_NAMESPACE, labels: { ...MANAGED } },
      spec: { entryPoints: [DNS_ENTRYPOINTS.udp], routes: [{ services }] },
    },
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRouteTCP',
      metadata: { name: DNS_ENTRYPOINTS.tcp, namespace: DNS_NAMESPACE, labels: { ...MANAGED } },
      spec: { entryPoints: [DNS_ENTRYPOINTS.tcp], routes: [{ match: 'HostSNI(`*`)', services }] },
    },
  ];
}

/** 4. Traefik: its CRDs, HTTP(S) with ACME, Ingress in every namespace, TCP routes to the mail services. */
export function ingressSystem(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap;
  const traefikYaml = clusterTraefikYaml(config);
  return [
    // Pod Security allows hostPorts at the privileged level only (baseline forbids them); the pod
    // itself stays as restricted as before (non-root, no capabilities), and warn/audit say so.
    b.edge.hostPorts
      ? namespace(
          INGRESS_NAMESPACE,
          'privileged',
          'Traefik binds its entry points on the node (hostPorts, no load balancer); the pod is otherwise restricted',
        )
      : namespace(
          INGRESS_NAMESPACE,
          'restricted',
          'Traefik runs as non-root on unprivileged ports behind its Service',
        ),
    ...traefikCrds(),
    traefikIngressClass(config.ingress.className),
    ...traefikRbac(),
    configMap(APP, INGRESS_NAMESPACE, APP, { 'traefik.yaml': traefikYaml }),
    ...(b.acme.trustedRootsPem
      ? [configMap('acme-roots', INGRESS_NAMESPACE, APP, { 'roots.pem': b.acme.trustedRootsPem })]
      : []),
    ...(b.secrets.acmeTsigSecret
      ? [secret('traefik-dns01', INGRESS_NAMESPACE, APP, { 'tsig-secret': b.secrets.acmeTsigSecret })]
      : []),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('traefik-acme', INGRESS_NAMESPACE, APP),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: config.storage.storageClass,
        resources: { requests: { storage: '128Mi' } },
      },
    },
    deployment(config, traefikYaml),
    edgeService(config),
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: meta(PLATFORM_REDIRECT_MIDDLEWARE, INGRESS_NAMESPACE, APP),
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    },
    // The routes live in mail-system, next to Postfix and Dovecot: only when this install runs them.
    ...(b.steps.includes('mail') ? mailRoutes() : []),
    ...(servesDns(config) ? dnsRoutes() : []),
  ];
}
