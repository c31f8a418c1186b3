import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { helmChart, MANAGED, namespace } from './common.ts';
import { MAIL_NAMESPACE, MAIL_PORTS } from './mail.ts';

export const INGRESS_NAMESPACE = 'ingress-system';

/** Mail entry points: unprivileged port in the pod, the well-known one on the Service. */
const MAIL_ENTRYPOINTS = [
  { name: 'smtp', port: 2525, service: 'postfix' },
  { name: 'submission', port: 5587, service: 'postfix' },
  { name: 'smtps', port: 4465, service: 'postfix' },
  { name: 'imap', port: 1143, service: 'dovecot' },
  { name: 'imaps', port: 1993, service: 'dovecot' },
  { name: 'pop3', port: 1110, service: 'dovecot' },
  { name: 'pop3s', port: 1995, service: 'dovecot' },
] as const;

function traefikValues(config: BootstrapConfig) {
  const b = config.bootstrap;
  const [registry, ...rest] = b.systemImages.traefik.split('/');
  const [repository, tag] = rest.join('/').split(':');
  const mailPorts = Object.fromEntries(
    MAIL_ENTRYPOINTS.map((e) => [
      e.name,
      { port: e.port, exposedPort: MAIL_PORTS[e.name], expose: { default: true }, protocol: 'TCP' },
    ]),
  );
  return {
    image: { registry, repository, tag },
    // One replica: the ACME account and certificates live in one acme.json on a volume.
    deployment: { replicas: 1 },
    ingressClass: { enabled: true, isDefaultClass: true, name: config.ingress.className },
    providers: {
      kubernetesCRD: { enabled: true, allowCrossNamespace: false, allowExternalNameServices: true },
      // Suspended sites point at an ExternalName Service (packages/provisioner-k8s README).
      kubernetesIngress: {
        enabled: true,
        allowExternalNameServices: true,
        publishedService: { enabled: true },
      },
    },
    ports: {
      [config.ingress.webEntrypoint]: { port: 8000, exposedPort: 80 },
      [config.ingress.websecureEntrypoint]: { port: 8443, exposedPort: 443, tls: { enabled: true } },
      ...mailPorts,
    },
    certificatesResolvers: {
      [config.ingress.certResolver]: {
        acme: {
          email: b.acme.email,
          caServer: b.acme.caServer,
          storage: '/data/acme.json',
          httpChallenge: { entryPoint: config.ingress.webEntrypoint },
        },
      },
    },
    persistence: { enabled: true, storageClass: config.storage.storageClass, size: '128Mi', path: '/data' },
    // Local keeps the client's address (mail needs it for SPF and rate limits; PROXY carries it on).
    service: { spec: { externalTrafficPolicy: 'Local' } },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
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

/** 4. Traefik: HTTP(S) with ACME, Ingress in every namespace, TCP routes to the mail services. */
export function ingressSystem(config: BootstrapConfig): KubeObject[] {
  return [
    namespace(
      INGRESS_NAMESPACE,
      'restricted',
      'Traefik runs as non-root on unprivileged ports behind its Service',
    ),
    helmChart(
      'traefik',
      INGRESS_NAMESPACE,
      config.bootstrap.charts.traefik,
      stringify(traefikValues(config)),
    ),
    ...mailRoutes(),
  ];
}
