import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { panelRbacManifests } from '../rbac/panel-rbac.ts';
import {
  configMap,
  env,
  envFromSecret,
  namespace,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  service,
  tlsIngress,
  workload,
} from './common.ts';
import { sftpGateway } from './sftp-gateway.ts';

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
          readinessProbe: { exec: { command: ['pg_isready', '-U', 'hostplane'] }, periodSeconds: 10 },
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
 * the credentials of the other systems (mail database, PowerDNS key) go to the worker alone.
 */
function apiEnvironment(config: BootstrapConfig): Record<string, string> {
  const s = config.bootstrap.secrets;
  const ns = config.panelIdentity.namespace;
  return {
    DATABASE_URL: `postgres://hostplane:${encodeURIComponent(s.postgresPassword)}@panel-db.${ns}.svc:5432/hostplane`,
    SECRET_KEY: s.panelSecretKey,
  };
}

function workerEnvironment(config: BootstrapConfig): Record<string, string> {
  const s = config.bootstrap.secrets;
  return {
    MAIL_DATABASE_URL: `mysql://mail:${encodeURIComponent(s.mailDbPassword)}@mail-db.mail-system.svc:3306/mail`,
    PDNS_API_KEY: s.pdnsApiKey,
  };
}

const fromSecret = (name: string, values: Record<string, string>) =>
  Object.keys(values).map((key) => envFromSecret(key, name, key));

/** The internal listener: probes and scrapes, never behind the Ingress. */
const METRICS_PORT = 9090;
const probes = {
  readinessProbe: { httpGet: { path: '/readyz', port: METRICS_PORT }, periodSeconds: 10 },
  livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, periodSeconds: 20 },
};

/**
 * Two Deployments of the same image: `panel` (the API, behind the Ingress, as a service account
 * with no Kubernetes rights) and `panel-worker` (the reconciler, as the panel's service account).
 */
function panel(config: BootstrapConfig, ns: string): KubeObject[] {
  const b = config.bootstrap;
  const host = b.hosts.panel;
  const apiEnv = apiEnvironment(config);
  const workerEnv = workerEnvironment(config);
  return [
    secret('panel-env', ns, 'panel', apiEnv),
    secret('panel-worker-env', ns, 'panel', workerEnv),
    service('panel', ns, 'panel', [{ name: 'http', port: 80, targetPort: 8080 }]),
    workload({
      kind: 'Deployment',
      name: 'panel',
      ns,
      replicas: b.panelReplicas,
      podSecurity: restrictedPod(PANEL_UID),
      serviceAccountName: config.panelIdentity.apiServiceAccount,
      containers: [
        {
          name: 'panel',
          image: b.systemImages.panel,
          args: ['serve', '--api-only'],
          env: [
            env('HOST', '0.0.0.0'),
            env('PORT', '8080'),
            // Traefik is the one proxy in front of the API: believe one X-Forwarded-For hop, no more.
            env('TRUST_PROXY', '1'),
            env('METRICS_PORT', String(METRICS_PORT)),
            ...fromSecret('panel-env', apiEnv),
          ],
          // 8080 is public (through Traefik); 9090 (metrics, detailed readiness) is in no Service
          // the Ingress reaches: the kubelet probes it and Prometheus scrapes it on the pod.
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: 'metrics', containerPort: METRICS_PORT },
          ],
          securityContext: restrictedContainer,
          ...probes,
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: scratch('tmp'),
    }),
    workload({
      kind: 'Deployment',
      name: 'panel-worker',
      ns,
      replicas: b.panelReplicas,
      podSecurity: restrictedPod(PANEL_UID),
      serviceAccountName: config.panelIdentity.serviceAccount,
      containers: [
        {
          name: 'worker',
          image: b.systemImages.panel,
          args: ['serve', '--worker-only'],
          env: [
            env('HOST', '0.0.0.0'),
            env('METRICS_PORT', String(METRICS_PORT)),
            env('PDNS_API_URL', 'http://pdns-api.dns-system.svc:8081'),
            env('PDNS_DNS_ADDR', 'pdns.dns-system.svc:53'),
            ...fromSecret('panel-env', apiEnv),
            ...fromSecret('panel-worker-env', workerEnv),
          ],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
          securityContext: restrictedContainer,
          ...probes,
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: scratch('tmp'),
    }),
    tlsIngress(config, 'panel', ns, host, 'panel', 80),
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
          readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 10 },
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
    ...postgres(config, ns),
    ...panel(config, ns),
    ...sftpGateway(config),
    ...suspendedPage(config),
  ];
}
