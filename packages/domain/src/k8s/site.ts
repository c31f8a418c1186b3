import type { CustomerSnapshot, SiteRow } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { attachedDatabaseEnv } from './customer-database.ts';
import { COMPONENT_LABEL, componentSelector, siteLabels } from './labels.ts';
import { fnv1a, phpNginxConf, staticNginxConf } from './nginx-conf.ts';
import { phpBodyLimit, phpIni } from './php.ts';
import { PHP_READY_KEY, PHP_READY_SCRIPT, phpReadyLocation } from './php-ready.ts';
import { type ContainerResources, podSecurityContext } from './security.ts';
import { sitePodParts } from './site-pod.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';
import { WORDPRESS_READY_PHP } from './wordpress.ts';

type Clamp = (resources: ContainerResources) => ContainerResources;

function meta(snapshot: CustomerSnapshot, site: SiteRow, name: string) {
  return { name, namespace: tenantNamespace(snapshot.id), labels: siteLabels(snapshot.id, site.name) };
}

/** nginx's server block; for the PHP templates also the readiness script their php-fpm runs (php-ready.ts). */
function webConfigData(conf: string, template: SiteRow['template']): Record<string, string> {
  if (template === 'wordpress') return { 'default.conf': conf, [PHP_READY_KEY]: WORDPRESS_READY_PHP };
  if (template === 'php') return { 'default.conf': conf, [PHP_READY_KEY]: PHP_READY_SCRIPT };
  return { 'default.conf': conf };
}

function webConfigMap(snapshot: CustomerSnapshot, site: SiteRow, conf: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(snapshot, site, `${site.name}-nginx`),
    data: webConfigData(conf, site.template),
  };
}

function webVolumeClaim(snapshot: CustomerSnapshot, site: SiteRow, config: TenantPlatformConfig): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(snapshot, site, `${site.name}-data`),
    spec: {
      accessModes: [config.storage.siteVolumeAccessMode],
      storageClassName: config.storage.storageClass,
      resources: { requests: { storage: config.storage.siteVolumeSize } },
    },
  };
}

function webService(snapshot: CustomerSnapshot, site: SiteRow): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(snapshot, site, site.name),
    spec: {
      type: 'ClusterIP',
      selector: componentSelector(site.name, 'web'),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function webDeployment(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: Clamp,
): { deployment: KubeObject; conf: string | null; ini: string | null } {
  const parts = sitePodParts(site, config, clamp, attachedDatabaseEnv(snapshot, site));
  const conf =
    parts.nginxConf === 'static'
      ? staticNginxConf()
      : parts.nginxConf === 'php' || parts.nginxConf === 'wordpress'
        ? phpNginxConf(phpBodyLimit(site.phpSettings), phpReadyLocation())
        : null;
  const ini = parts.nginxConf === 'php' || parts.nginxConf === 'wordpress' ? phpIni(site.phpSettings) : null;
  const annotations = {
    ...(conf
      ? { 'hostplane.io/nginx-conf': fnv1a(Object.values(webConfigData(conf, site.template)).join('\n')) }
      : {}),
    ...(ini ? { 'hostplane.io/php-ini': fnv1a(ini) } : {}),
  };
  const podLabels = { ...siteLabels(snapshot.id, site.name), [COMPONENT_LABEL]: 'web' };
  const template = {
    metadata: {
      labels: podLabels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: podSecurityContext(parts.uid),
      containers: parts.containers,
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: `${site.name}-data` } },
        ...parts.volumes,
      ].sort((a, b) => String(a.name).localeCompare(String(b.name))),
    },
  };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(snapshot, site, site.name),
    spec: {
      replicas: snapshot.suspended ? 0 : site.replicas,
      revisionHistoryLimit: 3,
      // One new pod Ready before an old one goes: a PHP version change or a php.ini change has no downtime.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: componentSelector(site.name, 'web') },
      template,
    },
  };
  return { deployment, conf, ini };
}

/** Deployment, Service, PVC and (nginx templates) the nginx ConfigMap of one site. */
export function siteWorkloadObjects(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: Clamp,
): KubeObject[] {
  const { deployment, conf, ini } = webDeployment(snapshot, site, config, clamp);
  const objects = [deployment, webService(snapshot, site), webVolumeClaim(snapshot, site, config)];
  if (conf) objects.push(webConfigMap(snapshot, site, conf));
  if (ini) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(snapshot, site, `${site.name}-php`),
      data: { 'zz-hostplane.ini': ini },
    });
  }
  return objects;
}
