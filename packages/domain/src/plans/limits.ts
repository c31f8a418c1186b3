// The plan's counted limits and what a customer uses of them: the one place these rules live. The
// API checks a change against them (409 before anything is written), the Customer condition reports
// a customer already over them (after a downgrade), and a plan change must fit them.
import { quantityBytes } from '../k8s/quantity.ts';
import type { QuotaConflict } from '../k8s/usage.ts';
import { type CustomerSnapshot, effectivePlanLimits, type PlanLimits } from '../snapshot.ts';

/** What a customer uses of each counted limit. */
export interface PlanUsage {
  sites: number;
  databases: number;
  domains: number;
  mailboxes: number;
  mailboxQuotaBytes: number;
  aliases: number;
  /** The customer's own rrsets over all its zones (managed records do not count). */
  dnsRecords: number;
  /** Cron jobs over all of the customer's sites. */
  cronJobs: number;
  /** Backups asked for by hand in the last 24 hours. */
  backupsPerDay: number;
  restoresPerDay: number;
}

export type CountedLimit =
  | 'sites'
  | 'databases'
  | 'domains'
  | 'mailboxes'
  | 'mailboxQuota'
  | 'aliases'
  | 'dnsRecords'
  | 'cronJobs'
  | 'backupsPerDay'
  | 'restoresPerDay';

/** A limit the usage goes over. `allowed` is null when the plan's quantity is not one. */
export interface LimitOverrun {
  limit: CountedLimit;
  used: number;
  allowed: number | null;
}

/** Each counted limit, the usage it bounds and its name in words; checked (and reported) in this order. */
const COUNTED: ReadonlyArray<{ limit: CountedLimit; usage: keyof PlanUsage; noun: string }> = [
  { limit: 'sites', usage: 'sites', noun: 'sites' },
  { limit: 'databases', usage: 'databases', noun: 'databases' },
  { limit: 'domains', usage: 'domains', noun: 'domains' },
  { limit: 'mailboxes', usage: 'mailboxes', noun: 'mailboxes' },
  { limit: 'mailboxQuota', usage: 'mailboxQuotaBytes', noun: 'of mailbox quota in total' },
  { limit: 'aliases', usage: 'aliases', noun: 'aliases' },
  { limit: 'dnsRecords', usage: 'dnsRecords', noun: 'DNS rrsets' },
  { limit: 'cronJobs', usage: 'cronJobs', noun: 'cron jobs' },
  { limit: 'backupsPerDay', usage: 'backupsPerDay', noun: 'backups a day' },
  { limit: 'restoresPerDay', usage: 'restoresPerDay', noun: 'restores a day' },
];

/** The limit bounding one usage counter. */
export function limitOfUsage(usage: keyof PlanUsage): CountedLimit {
  return COUNTED.find((c) => c.usage === usage)?.limit ?? (usage as CountedLimit);
}

function allowedOf(limits: PlanLimits, limit: CountedLimit): number | null {
  if (limit === 'mailboxQuota') {
    const bytes = quantityBytes(limits.mailboxQuota);
    return bytes === null ? null : Math.ceil(bytes);
  }
  return effectivePlanLimits(limits)[limit];
}

/**
 * Every counted limit the usage goes over, in the order above. Only the counters present in `usage`
 * are checked, so a change checks what it grows and a customer over a lowered plan may still shrink.
 */
export function planOverruns(limits: PlanLimits, usage: Partial<PlanUsage>): LimitOverrun[] {
  const overruns: LimitOverrun[] = [];
  for (const { limit, usage: key } of COUNTED) {
    const used = usage[key];
    if (used === undefined) continue;
    const allowed = allowedOf(limits, limit);
    if (allowed === null || used > allowed) overruns.push({ limit, used, allowed });
  }
  return overruns;
}

/** An alias's destinations over the plan's destinationsPerAlias, or null. */
export function destinationsOverrun(
  limits: PlanLimits,
  count: number,
): { limit: 'destinationsPerAlias'; used: number; allowed: number } | null {
  const allowed = effectivePlanLimits(limits).destinationsPerAlias;
  return count > allowed ? { limit: 'destinationsPerAlias', used: count, allowed } : null;
}

/** The refusal of a change that would go over a limit (the API's 409 detail). */
export function describeLimitRefusal(planName: string, limits: PlanLimits, overrun: LimitOverrun): string {
  if (overrun.limit === 'mailboxQuota')
    return `plan "${planName}" allows ${limits.mailboxQuota} of mailbox quota in total (limit mailboxQuota)`;
  const noun = COUNTED.find((c) => c.limit === overrun.limit)?.noun ?? overrun.limit;
  return `plan "${planName}" allows ${overrun.allowed} ${noun} (limit ${overrun.limit}); this would make ${overrun.used}`;
}

/** An overrun of a customer as it is, in words (the Customer condition's message). */
export function describeOverrun(limits: PlanLimits, overrun: LimitOverrun): string {
  if (overrun.limit !== 'mailboxQuota') return `${overrun.limit}: ${overrun.used} of ${overrun.allowed}`;
  if (overrun.allowed === null) return `mailboxQuota: plan limit "${limits.mailboxQuota}" is not a quantity`;
  return `mailboxQuota: ${overrun.used} bytes of ${overrun.allowed}`;
}

/** What a customer's rows use of the counted limits that the rows tell (no per-day counters). */
export function snapshotUsage(
  snapshot: CustomerSnapshot,
): Omit<PlanUsage, 'backupsPerDay' | 'restoresPerDay'> {
  return {
    sites: snapshot.sites.length,
    // A site's own database plus those on the customer's MariaDB, as the API counts them.
    databases: snapshot.sites.filter((s) => s.database).length + (snapshot.databases?.length ?? 0),
    domains: snapshot.domains.length,
    mailboxes: snapshot.mailboxes.length,
    mailboxQuotaBytes: snapshot.mailboxes.reduce((sum, m) => sum + m.quotaBytes, 0),
    aliases: snapshot.aliases.length,
    dnsRecords: snapshot.domains.reduce((sum, d) => sum + d.records.length, 0),
    cronJobs: snapshot.sites.reduce((sum, s) => sum + (s.cronJobs?.length ?? 0), 0),
  };
}

/** The counted limits a plan change must fit besides the tenant quota (sites and databases are in it). */
export function countedPlanConflicts(
  limits: PlanLimits,
  usage: Pick<
    PlanUsage,
    'domains' | 'mailboxes' | 'mailboxQuotaBytes' | 'aliases' | 'dnsRecords' | 'cronJobs'
  >,
): QuotaConflict[] {
  const { domains, mailboxes, mailboxQuotaBytes, aliases, dnsRecords, cronJobs } = usage;
  return planOverruns(limits, { domains, mailboxes, mailboxQuotaBytes, aliases, dnsRecords, cronJobs }).map(
    (o) => ({
      resource: o.limit,
      used: o.used,
      limit: o.allowed ?? 0,
    }),
  );
}

/** "limits.memory" 1.5 GiB → "1536Mi"; cpu in cores; counts as they are. */
function formatUse(resource: string, value: number): string {
  if (/memory|storage|mailboxQuota/.test(resource)) return `${Math.ceil(value / 2 ** 20)}Mi`;
  return String(Math.round(value * 1000) / 1000);
}

/** A plan-change conflict in words (one field error of the API's 409). */
export function describeQuotaConflict(planName: string, conflict: QuotaConflict): string {
  return `${formatUse(conflict.resource, conflict.used)} in use, plan "${planName}" allows ${formatUse(conflict.resource, conflict.limit)}`;
}
