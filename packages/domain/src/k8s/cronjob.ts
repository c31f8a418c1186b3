// A site's cron jobs (issue 16): Kubernetes CronJobs that run a command in the site's own image with
// its volume, under the tenant's quota and Pod Security restricted. Schedule rules are pure.
import { CronExpressionParser } from 'cron-parser';
import type { CronJobRow, CustomerSnapshot, SiteRow } from '../snapshot.ts';
import { tenantNamespace } from '../snapshot.ts';
import { attachedDatabaseEnv } from './customer-database.ts';
import { COMPONENT_LABEL, siteLabels } from './labels.ts';
import { phpImageOf } from './php.ts';
import { type ContainerResources, containerSecurityContext, podSecurityContext } from './security.ts';
import { NGINX_UID, WWW_DATA_UID } from './site-pod.ts';
import type { KubeObject, TenantPlatformConfig } from './types.ts';

export const CRONJOB_LABEL = 'hostplane.io/cronjob';
/** DNS label short enough that "{site}-cron-{name}" and its Jobs' and pods' names fit. */
export const CRONJOB_NAME_PATTERN = /^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/;
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export interface CronIssue {
  path: string[];
  message: string;
}

/** Standard five-field cron (or a macro), as Kubernetes reads it; a time zone from the IANA database. */
export function cronJobIssues(input: { schedule?: string; timeZone?: string | null }): CronIssue[] {
  const issues: CronIssue[] = [];
  const { schedule, timeZone } = input;
  if (schedule !== undefined) {
    const trimmed = schedule.trim();
    if (/^(CRON_)?TZ=/.test(trimmed)) {
      issues.push({ path: ['schedule'], message: 'give the time zone in timeZone, not in the schedule' });
    } else if (!MACROS.has(trimmed)) {
      const fields = trimmed.split(/\s+/);
      if (fields.length !== 5) {
        issues.push({
          path: ['schedule'],
          message: 'five fields: minute hour day-of-month month day-of-week',
        });
      } else {
        try {
          CronExpressionParser.parse(trimmed, { strict: false });
        } catch (err) {
          issues.push({ path: ['schedule'], message: `not a valid schedule: ${(err as Error).message}` });
        }
      }
    }
  }
  if (timeZone !== undefined && timeZone !== null && !validTimeZone(timeZone))
    issues.push({ path: ['timeZone'], message: 'an IANA time zone such as Europe/Berlin' });
  return issues;
}

function validTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function cronJobObjectName(site: string, job: string): string {
  return `${site}-cron-${job}`;
}

/** The image, uid and web root the site's runtime has: a cron job runs in that same environment. */
function runtimeOf(
  site: SiteRow,
  config: TenantPlatformConfig,
): { image: string; uid: number; root: string } {
  switch (site.template) {
    case 'static':
      return { image: config.images.nginx, uid: NGINX_UID, root: '/usr/share/nginx/html' };
    case 'php':
      return { image: phpImageOf(site, config), uid: WWW_DATA_UID, root: '/var/www/html' };
    case 'wordpress':
      return { image: config.images.wordpress, uid: WWW_DATA_UID, root: '/var/www/html' };
    case 'image':
      return { image: site.image ?? '', uid: config.tenantLimits.imageUid, root: '/data' };
  }
}

function cronJob(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  job: CronJobRow,
  config: TenantPlatformConfig,
  clamp: (r: ContainerResources) => ContainerResources,
): KubeObject {
  const { image, uid, root } = runtimeOf(site, config);
  const labels = {
    ...siteLabels(snapshot.id, site.name),
    [COMPONENT_LABEL]: 'cron',
    [CRONJOB_LABEL]: job.name,
  };
  const env = attachedDatabaseEnv(snapshot, site);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: cronJobObjectName(site.name, job.name),
      namespace: tenantNamespace(snapshot.id),
      labels,
    },
    spec: {
      schedule: job.schedule.trim(),
      ...(job.timeZone ? { timeZone: job.timeZone } : {}),
      concurrencyPolicy: job.concurrencyPolicy,
      suspend: job.suspended || snapshot.suspended,
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: 3600,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: podSecurityContext(uid),
              containers: [
                {
                  name: 'job',
                  image,
                  command: ['/bin/sh', '-c', job.command],
                  workingDir: root,
                  ...(env.length > 0 ? { env } : {}),
                  resources: clamp({
                    requests: { cpu: '25m', memory: '64Mi' },
                    limits: { cpu: '500m', memory: '256Mi' },
                  }),
                  securityContext: containerSecurityContext(uid, true),
                  terminationMessagePolicy: 'FallbackToLogsOnError',
                  volumeMounts: [
                    { name: 'data', mountPath: root },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'data', persistentVolumeClaim: { claimName: `${site.name}-data` } },
                { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
              ],
            },
          },
        },
      },
    },
  };
}

/** Every cron job of a site, sorted by name. */
export function siteCronJobs(
  snapshot: CustomerSnapshot,
  site: SiteRow,
  config: TenantPlatformConfig,
  clamp: (r: ContainerResources) => ContainerResources,
): KubeObject[] {
  return [...(site.cronJobs ?? [])]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((job) => cronJob(snapshot, site, job, config, clamp));
}
