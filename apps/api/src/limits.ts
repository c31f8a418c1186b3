import { quantityToNumber } from '@hostplane/contracts';
import { loadCustomerSnapshot, type PanelDatabase } from '@hostplane/db';
import {
  effectivePlanLimits,
  type PlanLimits,
  planQuotaConflicts,
  type QuotaConflict,
  type TenantPlatformConfig,
} from '@hostplane/domain';
import { sql, type Transaction } from 'kysely';
import { PlanConflictError, PlanLimitError } from './errors.ts';

export interface Usage {
  sites: number;
  databases: number;
  domains: number;
  mailboxes: number;
  mailboxQuotaBytes: number;
  aliases: number;
  dnsRecords: number;
  /** Backups asked for in the last 24 hours. */
  backupsPerDay: number;
  restoresPerDay: number;
}

/** What a customer uses now, counted inside the mutation's transaction (the customer row is locked). */
export async function customerUsage(trx: Transaction<PanelDatabase>, customerId: number): Promise<Usage> {
  const row = await sql<Usage>`select
      (select count(*) from sites where customer_id = ${customerId})::int as sites,
      ((select count(*) from sites where customer_id = ${customerId} and database)
        + (select count(*) from customer_databases where customer_id = ${customerId}))::int as databases,
      (select count(*) from domains where customer_id = ${customerId})::int as domains,
      (select count(*) from mailboxes where customer_id = ${customerId})::int as mailboxes,
      (select coalesce(sum(quota_bytes), 0) from mailboxes where customer_id = ${customerId})::bigint as "mailboxQuotaBytes",
      (select count(*) from aliases where customer_id = ${customerId})::int as aliases,
      (select count(*) from dns_records r join domains d on d.id = r.domain_id where d.customer_id = ${customerId})::int as "dnsRecords",
      0 as "backupsPerDay", 0 as "restoresPerDay"`.execute(trx);
  return row.rows[0]!;
}

export async function planOf(
  trx: Transaction<PanelDatabase>,
  planId: number,
): Promise<{ name: string; limits: PlanLimits }> {
  const plan = await trx
    .selectFrom('plans')
    .select(['name', 'limits'])
    .where('id', '=', planId)
    .executeTakeFirstOrThrow();
  return { name: plan.name, limits: plan.limits as PlanLimits };
}

/** Throws a 409 naming the first limit the usage exceeds. */
export function assertWithinPlan(
  plan: { name: string; limits: PlanLimits },
  usage: Usage,
  only?: ReadonlySet<keyof Usage>,
): void {
  const limits = effectivePlanLimits(plan.limits);
  const checks: [keyof PlanLimits & keyof Usage, number, number, string][] = [
    ['sites', usage.sites, limits.sites, 'sites'],
    ['databases', usage.databases, limits.databases, 'databases'],
    ['domains', usage.domains, limits.domains, 'domains'],
    ['mailboxes', usage.mailboxes, limits.mailboxes, 'mailboxes'],
    ['aliases', usage.aliases, limits.aliases, 'aliases'],
    ['dnsRecords', usage.dnsRecords, limits.dnsRecords, 'DNS rrsets'],
    ['backupsPerDay', usage.backupsPerDay, limits.backupsPerDay, 'backups a day'],
    ['restoresPerDay', usage.restoresPerDay, limits.restoresPerDay, 'restores a day'],
  ];
  for (const [limit, used, allowed, noun] of checks) {
    if (only && !only.has(limit)) continue;
    if (used > allowed) {
      throw new PlanLimitError(
        limit,
        `plan "${plan.name}" allows ${allowed} ${noun} (limit ${limit}); this would make ${used}`,
      );
    }
  }
  const quota = quantityToNumber(plan.limits.mailboxQuota);
  if ((!only || only.has('mailboxQuotaBytes')) && usage.mailboxQuotaBytes > quota) {
    throw new PlanLimitError(
      'mailboxQuota',
      `plan "${plan.name}" allows ${plan.limits.mailboxQuota} of mailbox quota in total (limit mailboxQuota)`,
    );
  }
}

const COUNTERS: Record<keyof Usage, string> = {
  sites: 'select count(*) from sites where customer_id = $1',
  databases: 'select count(*) from sites where customer_id = $1 and database',
  domains: 'select count(*) from domains where customer_id = $1',
  mailboxes: 'select count(*) from mailboxes where customer_id = $1',
  mailboxQuotaBytes: 'select coalesce(sum(quota_bytes), 0) from mailboxes where customer_id = $1',
  aliases: 'select count(*) from aliases where customer_id = $1',
  dnsRecords:
    'select count(*) from dns_records r join domains d on d.id = r.domain_id where d.customer_id = $1',
  backupsPerDay:
    "select count(*) from backups where customer_id = $1 and created_at > now() - interval '1 day'",
  restoresPerDay:
    "select count(*) from restores where customer_id = $1 and created_at > now() - interval '1 day'",
};

/** An alias's destinations within the plan's destinationsPerAlias (409 like every plan limit). */
export function assertDestinationsWithinPlan(
  plan: { name: string; limits: PlanLimits },
  count: number,
): void {
  const allowed = effectivePlanLimits(plan.limits).destinationsPerAlias;
  if (count > allowed)
    throw new PlanLimitError(
      'destinationsPerAlias',
      `plan "${plan.name}" allows ${allowed} destinations per alias (limit destinationsPerAlias); this has ${count}`,
    );
}

/**
 * Usage after a change, checked against the customer's plan. One query counts only what grows and
 * reads the plan with it: this runs while the customer row is locked, so round trips matter.
 */
export async function assertChangeWithinPlan(
  trx: Transaction<PanelDatabase>,
  customer: { id: number; plan_id: number },
  delta: Partial<Usage>,
): Promise<void> {
  // Only what grows is checked: a customer already over a lowered plan may still shrink.
  const grown = (Object.keys(delta) as (keyof Usage)[]).filter((k) => (delta[k] ?? 0) > 0);
  if (grown.length === 0) return;
  const counters = grown.map(
    (k) => sql`(${sql.raw(COUNTERS[k].replace('$1', String(customer.id)))})::bigint as ${sql.ref(k)}`,
  );
  const result = await sql<
    Partial<Usage> & { name: string; limits: PlanLimits }
  >`select plans.name, plans.limits, ${sql.join(counters)}
    from plans where plans.id = ${customer.plan_id}`.execute(trx);
  const row = result.rows[0]!;
  const next: Usage = {
    sites: 0,
    databases: 0,
    domains: 0,
    mailboxes: 0,
    mailboxQuotaBytes: 0,
    aliases: 0,
    dnsRecords: 0,
    backupsPerDay: 0,
    restoresPerDay: 0,
  };
  for (const key of grown) next[key] = Number(row[key] ?? 0) + (delta[key] ?? 0);
  assertWithinPlan({ name: row.name, limits: row.limits }, next, new Set(grown));
}

/** "limits.memory" 1.5 GiB → "1536Mi"; cpu in cores; counts as they are. */
function formatUse(resource: string, value: number): string {
  if (/memory|storage|mailboxQuota/.test(resource)) return `${Math.ceil(value / 2 ** 20)}Mi`;
  return String(Math.round(value * 1000) / 1000);
}

/**
 * A plan change (a customer moving to `plan`, or `plan` itself edited) must fit what the customer
 * uses now: the tenant's quota (cpu, memory, storage, pods… from the sites' desired objects) and the
 * counted limits. Throws a 409 naming every resource over; the caller's transaction writes nothing.
 */
export async function assertPlanFits(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  plan: { name: string; limits: PlanLimits },
  platform: TenantPlatformConfig,
): Promise<void> {
  const snapshot = await loadCustomerSnapshot(trx, customerId);
  if (!snapshot) return;
  const conflicts: QuotaConflict[] = planQuotaConflicts(snapshot, plan.limits, platform);
  const usage = await customerUsage(trx, customerId);
  const counted: [string, number, number][] = [
    ['domains', usage.domains, plan.limits.domains],
    ['mailboxes', usage.mailboxes, plan.limits.mailboxes],
    ['mailboxQuota', Number(usage.mailboxQuotaBytes), quantityToNumber(plan.limits.mailboxQuota)],
    ['aliases', usage.aliases, effectivePlanLimits(plan.limits).aliases],
    ['dnsRecords', usage.dnsRecords, effectivePlanLimits(plan.limits).dnsRecords],
  ];
  for (const [resource, used, limit] of counted) {
    if (used > limit) conflicts.push({ resource, used, limit });
  }
  if (conflicts.length === 0) return;
  throw new PlanConflictError(
    plan.name,
    conflicts.map((c) => ({
      resource: c.resource,
      message: `${formatUse(c.resource, c.used)} in use, plan "${plan.name}" allows ${formatUse(c.resource, c.limit)}`,
    })),
  );
}
