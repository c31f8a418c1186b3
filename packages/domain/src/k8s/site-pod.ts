import type { SiteRow } from '../snapshot.ts';
import { PHP_INI_SCAN_DIR, PHP_SITE_INI_DIR, phpImageOf, phpIni, wordpressImageOf } from './php.ts';
import { PHP_READY_DIR, PHP_READY_KEY, PHP_READY_PATH } from './php-ready.ts';
import { type ContainerResources, containerSecurityContext, scratchVolumes } from './security.ts';
import type { TenantPlatformConfig } from './types.ts';

/** uids the images are built for: nginx-unprivileged 101, Alpine www-data 82. */
export const NGINX_UID = 101;
export const WWW_DATA_UID = 82;
export const WEB_PORT = 8080;

export interface PodParts {
  uid: number;
  containers: Record<string, unknown>[];
  volumes: Record<string, unknown>[];
  /** The port the Service targets. */
  port: number;
  /** php, wordpress: the php server block plus the readiness location (php-ready.ts). */
  nginxConf: 'static' | 'php' | 'wordpress' | null;
}

type Clamp = (resources: ContainerResources) => ContainerResources;

/**
 * Every second until the server answers (up to a minute), then the kubelet runs the readiness probe at
 * once: without it, a first readiness probe that comes a moment before the server listens leaves a
 * new site unready for the readiness period (10 s), as measured on the real node.
 */
function startupProbe(probe: Record<string, unknown>): Record<string, unknown> {
  return { startupProbe: { ...probe, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 60 } };
}

/** `readyPath`: what readiness asks when it means more than nginx answering (the PHP templates). */
function httpProbes(port: number | string, readyPath = '/healthz'): Record<string, unknown> {
  const probe = { httpGet: { path: '/healthz', port } };
  return {
    ...startupProbe(probe),
    readinessProbe: { httpGet: { path: readyPath, port }, periodSeconds: 10, timeoutSeconds: 2 },
    livenessProbe: {
      ...probe,
      initialDelaySeconds: 10,
      periodSeconds: 20,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
  };
}

export function tcpProbes(port: number | string): Record<string, unknown> {
  const probe = { tcpSocket: { port } };
  return {
    ...startupProbe(probe),
    readinessProbe: { ...probe, periodSeconds: 10, timeoutSeconds: 2 },
    livenessProbe: {
      ...probe,
      initialDelaySeconds: 15,
      periodSeconds: 20,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
  };
}

/**
 * A stopping web pod keeps serving a few seconds while kube-proxy and the edge drop its endpoint, so
 * a rolling update (a PHP version change) loses no request (Kubernetes' own sleep action, no binary).
 */
const DRAIN = { lifecycle: { preStop: { sleep: { seconds: 5 } } } };

const NGINX_SCRATCH = { 'nginx-cache': '/var/cache/nginx', tmp: '/tmp' };

function nginxContainer(
  image: string,
  uid: number,
  webRoot: string,
  clamp: Clamp,
  readyPath?: string,
): Record<string, unknown> {
  const scratch = scratchVolumes(NGINX_SCRATCH);
  return {
    name: 'nginx',
    image,
    ports: [{ name: 'http', containerPort: WEB_PORT, protocol: 'TCP' }],
    resources: clamp({ requests: { cpu: '25m', memory: '32Mi' }, limits: { cpu: '250m', memory: '128Mi' } }),
    securityContext: containerSecurityContext(uid, true),
    // A container that fails leaves its last log lines in its status, which the site status shows.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...DRAIN,
    volumeMounts: [
      { name: 'data', mountPath: webRoot },
      { name: 'nginx-conf', mountPath: '/etc/nginx/conf.d', readOnly: true },
      ...scratch.mounts,
    ],
    ...httpProbes('http', readyPath),
  };
}

function phpContainer(
  name: string,
  image: string,
  env: Record<string, unknown>[],
  clamp: Clamp,
  withIni: boolean,
  extraMounts: Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    name,
    image,
    env: withIni ? [...env, { name: 'PHP_INI_SCAN_DIR', value: PHP_INI_SCAN_DIR }] : env,
    ports: [{ name: 'fastcgi', containerPort: 9000, protocol: 'TCP' }],
    resources: clamp({ requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
    securityContext: containerSecurityContext(WWW_DATA_UID, true),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...DRAIN,
    volumeMounts: [
      { name: 'data', mountPath: '/var/www/html' },
      { name: 'php-tmp', mountPath: '/tmp' },
      ...(withIni ? [{ name: 'php-ini', mountPath: PHP_SITE_INI_DIR, readOnly: true }] : []),
      ...extraMounts,
    ],
    ...tcpProbes('fastcgi'),
  };
}

/** WordPress reads its database settings from the site's database Secret (see database.ts). */
function wordpressEnv(site: SiteRow): Record<string, unknown>[] {
  if (!site.database) return [];
  const fromSecret = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: `${site.name}-db`, key } },
  });
  return [
    fromSecret('WORDPRESS_DB_HOST', 'host'),
    fromSecret('WORDPRESS_DB_NAME', 'database'),
    fromSecret('WORDPRESS_DB_PASSWORD', 'password'),
    fromSecret('WORDPRESS_DB_USER', 'username'),
  ];
}

/**
 * Containers and volumes of a site's web pod, per template. `env` holds what every runtime container
 * gets besides its own (the credentials of the databases attached to the site).
 */
export function sitePodParts(
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: Clamp,
  env: Record<string, unknown>[] = [],
): PodParts {
  const { images } = config;
  const nginxScratch = scratchVolumes(NGINX_SCRATCH).volumes;
  const nginxConfVolume = { name: 'nginx-conf', configMap: { name: `${site.name}-nginx` } };
  switch (site.template) {
    case 'static':
      return {
        uid: NGINX_UID,
        port: WEB_PORT,
        nginxConf: 'static',
        containers: [nginxContainer(images.nginx, NGINX_UID, '/usr/share/nginx/html', clamp)],
        volumes: [nginxConfVolume, ...nginxScratch],
      };
    case 'php':
    case 'wordpress': {
      const withIni = phpIni(site.phpSettings) !== null;
      const wordpress = site.template === 'wordpress';
      const readyMount = [{ name: 'php-ready', mountPath: PHP_READY_DIR, readOnly: true }];
      const php = wordpress
        ? phpContainer(
            'wordpress',
            wordpressImageOf(site, config),
            [...wordpressEnv(site), ...env],
            clamp,
            withIni,
            readyMount,
          )
        : phpContainer('php-fpm', phpImageOf(site, config), env, clamp, withIni, readyMount);
      return {
        uid: WWW_DATA_UID,
        port: WEB_PORT,
        nginxConf: wordpress ? 'wordpress' : 'php',
        containers: [nginxContainer(images.nginx, WWW_DATA_UID, '/var/www/html', clamp, PHP_READY_PATH), php],
        volumes: [
          nginxConfVolume,
          ...nginxScratch,
          { name: 'php-tmp', emptyDir: { sizeLimit: '256Mi' } },
          ...(withIni ? [{ name: 'php-ini', configMap: { name: `${site.name}-php` } }] : []),
          {
            name: 'php-ready',
            configMap: { name: `${site.name}-nginx`, items: [{ key: PHP_READY_KEY, path: PHP_READY_KEY }] },
          },
        ],
      };
    }
    case 'image':
      return imagePodParts(site, config, clamp, env);
  }
}

/** Any image: we cannot know whether it writes to its root filesystem, so that stays writable. */
function imagePodParts(
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: Clamp,
  env: Record<string, unknown>[],
): PodParts {
  if (!site.image || !site.port) throw new Error(`site ${site.name}: template image needs image and port`);
  const uid = config.tenantLimits.imageUid;
  return {
    uid,
    port: site.port,
    nginxConf: null,
    containers: [
      {
        name: 'app',
        image: site.image,
        ...(env.length > 0 ? { env } : {}),
        ports: [{ name: 'http', containerPort: site.port, protocol: 'TCP' }],
        resources: clamp({
          requests: { cpu: '50m', memory: '64Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        }),
        securityContext: containerSecurityContext(uid, false),
        terminationMessagePolicy: 'FallbackToLogsOnError',
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'tmp', mountPath: '/tmp' },
        ],
        ...tcpProbes('http'),
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
  };
}
