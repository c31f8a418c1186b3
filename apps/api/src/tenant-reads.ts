// Live reads of a tenant's workloads (DESIGN §9 "Live reads"): the runs of a site's cron jobs, read
// through a narrow read-only port (jobs, pods, pods/log in the customer's own namespace).
import type { CronRun } from '@hostplane/contracts';

export interface TenantReads {
  /** Newest first, at most `limit`. */
  cronRuns(customerId: number, site: string, cron: string, limit: number): Promise<CronRun[]>;
}
