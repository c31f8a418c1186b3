import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { panelRbacManifests } from '../rbac/panel-rbac.ts';
import { platformS3Environment } from './backup.ts';
import {
  configMap,
  env,
  envFromSecret,
  namespace,
  podDisruptionBudget,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  service,
  tlsIngress,
  workload,
} from './common.ts';
import { mailDatabaseUrl, panelDatabaseUrl } from './databases.ts';
import { clusterDoveadm } from './mail.ts';
import { sftpGateway } from './sftp-gateway.ts';
import { webmailHost } from './webmail.ts';

const POSTGRES_UID = 70; // postgres in the alpine image
const PANEL_UID = 10001;
const NGINX_UID = 101; // nginx-unprivileged

function postgres(config: BootstrapConfig, ns: string): KubeObject[] {
  return [
    secret('panel-db', ns, 'panel-db', { POSTGRES_PASSWORD: config.bootstrap.secrets.postgresPassword }),
    service('panel-db', ns, 'panel-db', [{ name: 'postgres', port: 5432, targetPort: 5432 }]),
    workload({
      kind: 'StatefulSet',
      name: 'panel-db',
      ns,
      replicas: 1,
      podSecurity: restrictedPod(POSTGRES_UID),
      containers: [
        {
          name: 'postgres',
          image: config.bootstrap.systemImages.postgres,
          env: [
            env('POSTGRES_USER', 'hostplane'),
            env('POSTGRES_DB', 'hostplane'),
            env('PGDATA', '/var/lib/postgresql/data/pgdata'),
            envFromSecret('POSTGRES_PASSWORD', 'panel-db', 'POSTGRES_PASSWORD'),
          ],
          ports: [{ name: 'postgres', containerPort: 5432 }],
          securityContext: restrictedContainer,
          resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '1Gi' } },
          readinessProbe: { exec: { command: ['pg_isready', '-U', 'hostplane'] }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 20 },
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/postgresql/data' },
            { name: 'run', mountPath: '/var/run/postgresql' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: scratch('run', 'tmp'),
      claims: [
        { name: 'data', size: config.bootstrap.volumes.panelDb, storageClass: config.storage.storageClass },
      ],
    }),
  ];
}

/**
 * What `hostplane serve` reads (DESIGN.md §4). The API gets only its database and the sealing key;
 * the credentials of the other systems (mail database, PowerDNS key) go to the worker alone. Systems
 * kept outside the cluster (`bootstrap.external`) replace the in-cluster addresses.
 */
/** doveadm's HTTP API: the external one, else the in-cluster Dovecot's when this install runs mail. */
function doveadmOf(config: BootstrapConfig): { url: string; apiKey: string } | undefined {
  const ext = config.bootstrap.external;
  if (ext.doveadm) return ext.doveadm;
  return config.bootstrap.steps.includes('mail') && !ext.mailDatabaseUrl ? clusterDoveadm(config) : undefined;
}

function apiEnvironment(config: BootstrapConfig): Record<string, string> {
  const s = config.bootstrap.secrets;
  const doveadm = doveadmOf(config);
  return {
    DATABASE_URL: panelDatabaseUrl(config),
    SECRET_KEY: s.panelSecretKey,
    ...(doveadm ? { DOVEADM_API_URL: doveadm.url, DOVEADM_API_KEY: doveadm.apiKey } : {}),
  };
}

function workerEnvironment(config: BootstrapConfig): Record<string, string> {
  const s = config.bootstrap.secrets;
  const b = config.bootstrap.backup;
  return {
    MAIL_DATABASE_URL: mailDatabaseUrl(config),
    PDNS_API_KEY: s.pdnsApiKey,
    // Zones in customer backups (docs/backups.md): PowerDNS's API and the backup bucket.
    ...platformS3Environment(config),
    // Beside Velero's prefix, never under it: Velero marks its BackupStorageLocation Unavailable when the
    // prefix holds a top-level folder of its own layout's names only ("invalid top-level directories").
    CUSTOMER_DNS_PREFIX: `${b.prefix}-customer-dns`,
    // No backup-system in this install: no Backup target (it has no rights there, and would hold deletions).
    ...(config.bootstrap.steps.includes('backup') ? {} : { BACKUPS: 'off' }),
    // Mailboxes in customer backups: doveadm's HTTP API too (DOVEADM_API_* come with panel-env, which
    // the worker reads as well).
    ...(doveadmOf(config) ? { CUSTOMER_MAIL_PREFIX: `${b.prefix}-customer-mail` } : {}),
  };
}

/** The worker's plain settings (addresses, no credentials). */
function workerAddresses(config: BootstrapConfig): { name: string; value: string }[] {
  const ext = config.bootstrap.external;
  return [
    env('PDNS_API_URL', ext.pdnsApiUrl ?? 'http://pdns-api.dns-system.svc:8081'),
    env('PDNS_DNS_ADDR', ext.pdnsDnsAddr ?? 'pdns.dns-system.svc:53'),
    ...(ext.resolverAddr ? [env('DNS_RESOLVER_ADDR', ext.resolverAddr)] : []),
  ];
}

const fromSecret = (name: string, values: Record<string, string>) =>
  Object.keys(values).map((key) => envFromSecret(key, name, key));

/** The internal listener: probes and scrapes, never behind the Ingress. */
const METRICS_PORT = 9090;
const probes = {
  // Node loads the whole panel before it listens: on a loaded node that took more than the liveness
  // probe's 60 s (measured: no log line after 70 s at load average 45 on 2 cores, so the kubelet killed
  // it over and over). The startup probe gives it 5 minutes; liveness counts only after that.
  startupProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 5, failureThreshold: 60 },
  readinessProbe: { httpGet: { path: '/readyz', port: METRICS_PORT }, periodSeconds: 10 },
  livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 20 },
};
/** The platform config the panel reads (PLATFORM_CONFIG), from the bootstrap config's tenant-facing part. */
const PLATFORM_CONFIG_DIR = '/etc/hostplane';
const WEB_PORT = 3000;

/** The tenant-facing platform config (everything but `bootstrap`), as the panel's PLATFORM_CONFIG file. */
export function panelPlatformConfigYaml(config: BootstrapConfig): string {
  const { bootstrap, ...platform } = config;
  // The webmail mail-system runs (bootstrap/webmail.ts), unless the config names another.
  if (platform.webmailUrl === undefined && bootstrap.steps.includes('mail'))
    platform.webmailUrl = `https://${webmailHost(config)}/`;
  return stringify(platform, { lineWidth: 0, sortMapEntries: true });
}

const panelResources = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } };
const webResources = { requests: { cpu: '25m', memory: '96Mi' }, limits: { memory: '384Mi' } };

function platformConfigMount() {
  return { name: 'platform-config', mountPath: PLATFORM_CONFIG_DIR, readOnly: true };
}

/**
 * Three Deployments: `panel` (the API, behind the Ingress at /api, as a service account that only
 * reads in tenant namespaces), `panel-worker` (the reconciler, as the panel's service account, in-cluster
 * credentials) and `web` (the Next.js panel, everything else on the panel's host).
 */
function panel(config: BootstrapConfig, ns: string): KubeObject[] {
  const b = config.bootstrap;
  const host = b.hosts.panel;
  const apiEnv = apiEnvironment(config);
  const workerEnv = workerEnvironment(config);
  const platformYaml = panelPlatformConfigYaml(config);
  const configHash = createHash('sha256').update(platformYaml).digest('hex').slice(0, 16);
  const common = [
    env('HOST', '0.0.0.0'),
    env('METRICS_PORT', String(METRICS_PORT)),
    env('PLATFORM_CONFIG', `${PLATFORM_CONFIG_DIR}/platform.yaml`),
  ];
  const volumes = [{ name: 'platform-config', configMap: { name: 'platform-config' } }, ...scratch('tmp')];
  const mounts = [platformConfigMount(), { name: 'tmp', mountPath: '/tmp' }];
  const replicated = (name: string) => (b.panelReplicas > 1 ? [podDisruptionBudget(name, ns)] : []);
  return [
    configMap('platform-config', ns, 'panel', { 'platform.yaml': platformYaml }),
    secret('panel-env', ns, 'panel', apiEnv),
    secret('panel-worker-env', ns, 'panel', workerEnv),
    service('panel', ns, 'panel', [{ name: 'http', port: 80, targetPort: 8080 }]),
    service('web', ns, 'web', [{ name: 'http', port: 80, targetPort: WEB_PORT }]),
    workload({
      kind: 'Deployment',
      name: 'panel',
      ns,
      replicas: b.panelReplicas,
      podSecurity: restrictedPod(PANEL_UID),
      serviceAccountName: config.panelIdentity.apiServiceAccount,
      hostAliases: b.hostAliases,
      configHash,
      containers: [
        {
          name: 'panel',
          image: b.systemImages.panel,
          imagePullPolicy: 'IfNotPresent',
          args: ['serve', '--api-only'],
          env: [
            ...common,
            env('PORT', '8080'),
            // Traefik and the web panel's server.mjs may stand in front of the API: two hops at most.
            env('TRUST_PROXY', '2'),
            // Per-host certificate status: the in-cluster edge's websecure port, asked with SNI = host.
            ...(b.steps.includes('ingress')
              ? [env('EDGE_TLS_ADDR', `traefik.ingress-system.svc.${config.clusterDomain}:443`)]
              : []),
            ...fromSecret('panel-env', apiEnv),
          ],
          // 8080 is public (through Traefik); 9090 (metrics, detailed readiness) is in no Service
          // the Ingress reaches: the kubelet probes it and Prometheus scrapes it on the pod.
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: 'metrics', containerPort: METRICS_PORT },
          ],
          securityContext: restrictedContainer,
          resources: panelResources,
          ...probes,
          volumeMounts: mounts,
        },
      ],
      volumes,
    }),
    ...replicated('panel'),
    workload({
      kind: 'Deployment',
      name: 'panel-worker',
      ns,
      replicas: b.panelReplicas,
      podSecurity: restrictedPod(PANEL_UID),
      serviceAccountName: config.panelIdentity.serviceAccount,
      hostAliases: b.hostAliases,
      configHash,
      containers: [
        {
          name: 'worker',
          image: b.systemImages.panel,
          imagePullPolicy: 'IfNotPresent',
          args: ['serve', '--worker-only'],
          env: [
            ...common,
            ...workerAddresses(config),
            // ACME attempts spaced per host (docs/edge.md): the worker asks the edge what it serves.
            ...(b.steps.includes('ingress')
              ? [env('EDGE_TLS_ADDR', `traefik.ingress-system.svc.${config.clusterDomain}:443`)]
              : []),
            ...fromSecret('panel-env', apiEnv),
            ...fromSecret('panel-worker-env', workerEnv),
          ],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
          securityContext: restrictedContainer,
          resources: panelResources,
          ...probes,
          volumeMounts: mounts,
        },
      ],
      volumes,
    }),
    ...replicated('panel-worker'),
    workload({
      kind: 'Deployment',
      name: 'web',
      ns,
      replicas: b.panelReplicas,
      podSecurity: restrictedPod(PANEL_UID),
      containers: [
        {
          name: 'web',
          image: b.systemImages.web,
          imagePullPolicy: 'IfNotPresent',
          args: ['--hostname', '0.0.0.0', '--port', String(WEB_PORT)],
          env: [
            // The API through its Service; the kubelet's service variables need no cluster DNS.
            env('HOSTPLANE_API_URL', 'http://$(PANEL_SERVICE_HOST):$(PANEL_SERVICE_PORT)'),
          ],
          ports: [{ name: 'http', containerPort: WEB_PORT }],
          securityContext: restrictedContainer,
          resources: webResources,
          startupProbe: { tcpSocket: { port: WEB_PORT }, periodSeconds: 5, failureThreshold: 60 },
          readinessProbe: { httpGet: { path: '/login', port: WEB_PORT }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: WEB_PORT }, periodSeconds: 20 },
          volumeMounts: [
            { name: 'tmp', mountPath: '/tmp' },
            { name: 'next-cache', mountPath: '/opt/hostplane/apps/web/.next/cache' },
          ],
        },
      ],
      volumes: scratch('tmp', 'next-cache'),
    }),
    ...replicated('web'),
    // The panel's host: /api to the API, everything else to the web panel.
    tlsIngress(config, 'panel', ns, host, [
      { path: '/api', service: 'panel', port: 80 },
      { path: '/', service: 'web', port: 80 },
    ]),
  ];
}

/** The page suspended customers' hosts show (tenant Ingresses point at it through an ExternalName). */
function suspendedPage(config: BootstrapConfig): KubeObject[] {
  const p = config.suspendedPage;
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Suspended</title></head>' +
    '<body><h1>This site is suspended</h1><p>Please contact your hosting provider.</p></body></html>\n';
  return [
    configMap(p.service, p.namespace, p.service, { 'index.html': html }),
    service(p.service, p.namespace, p.service, [{ name: 'http', port: p.port, targetPort: 8080 }]),
    workload({
      kind: 'Deployment',
      name: p.service,
      ns: p.namespace,
      replicas: 1,
      podSecurity: restrictedPod(NGINX_UID),
      containers: [
        {
          name: 'nginx',
          image: config.images.nginx,
          ports: [{ name: 'http', containerPort: 8080 }],
          securityContext: restrictedContainer,
          resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 10 },
          livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 20 },
          volumeMounts: [
            { name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [{ name: 'html', configMap: { name: p.service } }, ...scratch('tmp')],
    }),
  ];
}

/** 7. The panel (API + worker), its identity and RBAC, its PostgreSQL, the suspended page. */
export function panelSystem(config: BootstrapConfig): KubeObject[] {
  const ns = config.panelIdentity.namespace;
  const rbac = panelRbacManifests({
    namespace: ns,
    serviceAccount: config.panelIdentity.serviceAccount,
    apiServiceAccount: config.panelIdentity.apiServiceAccount,
    tenantClusterRole: config.panelIdentity.tenantClusterRole,
    tenantReaderClusterRole: config.panelIdentity.tenantReaderClusterRole,
    tenantNamespacePrefix: 'cust-',
  });
  const ownNamespace = namespace(
    ns,
    'restricted',
    'the panel, its PostgreSQL and the suspended page run as non-root',
  );
  return [
    ownNamespace,
    ...rbac.filter((o) => o.kind !== 'Namespace'),
    ...(config.bootstrap.external.panelDatabaseUrl ? [] : postgres(config, ns)),
    ...panel(config, ns),
    ...sftpGateway(config),
    ...suspendedPage(config),
  ];
}
