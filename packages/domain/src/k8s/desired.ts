import type { CustomerSnapshot } from '../snapshot.ts';
import { siteCronJobs } from './cronjob.ts';
import { customerDatabaseObjects } from './customer-database.ts';
import { databaseObjects } from './database.ts';
import {
  apiRoleBinding,
  containerMax,
  limitRange,
  namespaceObject,
  panelRoleBinding,
  resourceQuota,
} from './guardrails.ts';
import {
  redirectMiddleware,
  routedSiteHosts,
  siteIngresses,
  splitHostsByResolution,
  suspendedPageService,
} from './ingress.ts';
import { networkPolicies } from './network-policies.ts';
import { minQuantity } from './quantity.ts';
import type { ContainerResources } from './security.ts';
import { sftpObjects } from './sftp.ts';
import { siteWorkloadObjects } from './site.ts';
import type { HostResolution, KubeObject, TenantPlatformConfig } from './types.ts';
import { webmailHosts, webmailObjects } from './webmail.ts';

/** Apply order: the namespace and its guard rails before anything that creates pods. */
export const KIND_ORDER = [
  'Namespace',
  'RoleBinding',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'Middleware',
  'Ingress',
] as const;

export type ManagedKind = (typeof KIND_ORDER)[number];

function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind as ManagedKind);
  if (rank < 0) throw new Error(`desired state produced an unmanaged kind: ${kind}`);
  return rank;
}

export function compareObjects(a: KubeObject, b: KubeObject): number {
  return kindRank(a.kind) - kindRank(b.kind) || a.metadata.name.localeCompare(b.metadata.name);
}

function clampTo(max: { cpu: string; memory: string }) {
  return ({ requests, limits }: ContainerResources): ContainerResources => {
    const cappedLimits = {
      cpu: minQuantity(limits.cpu, max.cpu),
      memory: minQuantity(limits.memory, max.memory),
    };
    return {
      requests: {
        cpu: minQuantity(requests.cpu, cappedLimits.cpu),
        memory: minQuantity(requests.memory, cappedLimits.memory),
      },
      limits: cappedLimits,
    };
  };
}

/**
 * Everything the customer's tenant namespace should hold, as plain objects sorted in apply order.
 * Pure and deterministic: the same snapshot, config and resolution give deep-equal output.
 * `resolution` says which hosts already resolve to the platform (only those get the certresolver).
 */
export function desiredTenantObjects(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  resolution: HostResolution = {},
): KubeObject[] {
  const clamp = clampTo(containerMax(snapshot, config));
  const sites = [...snapshot.sites].sort((a, b) => a.name.localeCompare(b.name));
  const objects: KubeObject[] = [
    namespaceObject(snapshot),
    panelRoleBinding(snapshot, config),
    ...apiRoleBinding(snapshot, config),
    resourceQuota(snapshot, config),
    limitRange(snapshot, config),
    ...networkPolicies(snapshot, config),
  ];
  for (const site of sites) {
    objects.push(...siteWorkloadObjects(snapshot, site, config, clamp));
    objects.push(...databaseObjects(snapshot, site, config, clamp));
    objects.push(...siteCronJobs(snapshot, site, config, clamp));
    objects.push(...siteIngresses(snapshot, site, config, resolution));
  }
  objects.push(...customerDatabaseObjects(snapshot, config, clamp));
  const anyTls = sites.some(
    (site) => splitHostsByResolution(routedSiteHosts(snapshot, site), resolution).tls.length > 0,
  );
  objects.push(...sftpObjects(snapshot, config, clamp));
  const webmail = webmailObjects(snapshot, config, resolution);
  objects.push(...webmail);
  const webmailTls = splitHostsByResolution(webmailHosts(snapshot), resolution).tls.length > 0;
  if (anyTls || webmailTls) objects.push(redirectMiddleware(snapshot));
  if (snapshot.suspended && (sites.length > 0 || webmail.length > 0))
    objects.push(suspendedPageService(snapshot, config));
  return objects.sort(compareObjects);
}

/** Every host of every site, for the adapter to resolve before calling desiredTenantObjects. */
export function tenantHosts(snapshot: CustomerSnapshot): string[] {
  const hosts = [
    ...snapshot.sites.flatMap((site) => routedSiteHosts(snapshot, site)),
    ...webmailHosts(snapshot),
  ];
  return [...new Set(hosts)].sort();
}
