// The customer's SFTP pod (docs/sftp.md): one StatefulSet `sftp` per customer that has SFTP
// credentials, so its single pod is always `sftp-0` (the gateway's RBAC names exactly that pod). It
// mounts every site volume of this customer and nothing else, at /sites/{site}; the gateway runs
// OpenSSH's sftp-server in it through pods/exec, as the site user, with no network port at all.
import type { CustomerSnapshot } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { COMPONENT_LABEL, tenantLabels } from './labels.ts';
import { type ContainerResources, containerSecurityContext, podSecurityContext } from './security.ts';
import { NGINX_UID, WWW_DATA_UID } from './site-pod.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

export const SFTP_WORKLOAD = 'sftp';
export const SFTP_POD = `${SFTP_WORKLOAD}-0`;
export const SFTP_CONTAINER = 'sftp';
export const SFTP_SITES_ROOT = '/sites';
/** Where the image keeps OpenSSH's server (Debian's openssh-sftp-server). */
export const SFTP_SERVER_COMMAND = ['/usr/lib/openssh/sftp-server', '-d', SFTP_SITES_ROOT, '-u', '0022'];
export const DEFAULT_SFTP_IMAGE = 'ghcr.io/hostplane/sftp-server:9.2p1-bookworm';

type Clamp = (resources: ContainerResources) => ContainerResources;

/** Whether the customer's SFTP pod should exist (credentials set, customer not being deleted). */
export function sftpWanted(snapshot: CustomerSnapshot): boolean {
  return Boolean(snapshot.sftp?.enabled) && !snapshot.deleting;
}

export function sftpObjects(
  snapshot: CustomerSnapshot,
  config: TenantPlatformConfig,
  clamp: Clamp,
): KubeObject[] {
  if (!sftpWanted(snapshot)) return [];
  const labels = { ...tenantLabels(snapshot.id), [COMPONENT_LABEL]: SFTP_WORKLOAD };
  const sites = snapshot.sites.map((site) => site.name).sort();
  const volumes = sites.map((site) => ({
    name: `site-${site}`,
    persistentVolumeClaim: { claimName: `${site}-data` },
  }));
  const mounts = sites.map((site) => ({ name: `site-${site}`, mountPath: `${SFTP_SITES_ROOT}/${site}` }));
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: SFTP_WORKLOAD, namespace: tenantNamespace(snapshot.id), labels },
      spec: {
        // A suspended customer keeps its credentials but has no pod (the gateway refuses it anyway).
        replicas: snapshot.suspended ? 0 : 1,
        serviceName: SFTP_WORKLOAD,
        podManagementPolicy: 'Parallel',
        revisionHistoryLimit: 3,
        selector: { matchLabels: { [COMPONENT_LABEL]: SFTP_WORKLOAD } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // PID 1 is `sleep`, which ignores SIGTERM: nothing to drain, so do not wait 30 s.
            terminationGracePeriodSeconds: 2,
            // The php user writes (uploads land as uid 82, like PHP's own files); the static sites'
            // nginx group (101) is supplementary so its group-writable volumes stay writable.
            securityContext: { ...podSecurityContext(WWW_DATA_UID), supplementalGroups: [NGINX_UID] },
            containers: [
              {
                name: SFTP_CONTAINER,
                image: config.images.sftp ?? DEFAULT_SFTP_IMAGE,
                resources: clamp({
                  requests: { cpu: '10m', memory: '16Mi' },
                  limits: { cpu: '250m', memory: '64Mi' },
                }),
                securityContext: containerSecurityContext(WWW_DATA_UID, true),
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  ];
}
