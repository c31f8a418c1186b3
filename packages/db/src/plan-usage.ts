// What a customer uses of its plan's counted limits, counted in the caller's transaction (the API
// holds the customer row's lock while it counts, so one round trip reads the plan and the counters).
import type { PlanLimits, PlanUsage } from '@hostplane/domain';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

const COUNTERS: Record<keyof PlanUsage, string> = {
  sites: 'select count(*) from sites where customer_id = $1',
  databases:
    'select (select count(*) from sites where customer_id = $1 and database) + (select count(*) from customer_databases where customer_id = $1)',
  domains: 'select count(*) from domains where customer_id = $1',
  mailboxes: 'select count(*) from mailboxes where customer_id = $1',
  mailboxQuotaBytes: 'select coalesce(sum(quota_bytes), 0) from mailboxes where customer_id = $1',
  aliases: 'select count(*) from aliases where customer_id = $1',
  dnsRecords:
    'select count(*) from dns_records r join domains d on d.id = r.domain_id where d.customer_id = $1',
  cronJobs: 'select count(*) from site_cronjobs where customer_id = $1',
  backupsPerDay:
    "select count(*) from backups where customer_id = $1 and created_at > now() - interval '1 day'",
  restoresPerDay:
    "select count(*) from restores where customer_id = $1 and created_at > now() - interval '1 day'",
};

function counters(customerId: number, keys: readonly (keyof PlanUsage)[]) {
  if (!Number.isSafeInteger(customerId)) throw new Error(`invalid customer id ${String(customerId)}`);
  return keys.map(
    (k) => sql`(${sql.raw(COUNTERS[k].replaceAll('$1', String(customerId)))})::bigint as ${sql.ref(k)}`,
  );
}

/** The plan's name and limits with the current value of the given counters (one query). */
export async function planWithUsage<K extends keyof PlanUsage>(
  db: Db,
  planId: number,
  customerId: number,
  keys: readonly K[],
): Promise<{ name: string; limits: PlanLimits; usage: Pick<PlanUsage, K> }> {
  const result = await sql<Record<string, unknown> & { name: string; limits: PlanLimits }>`select
      plans.name, plans.limits${keys.length > 0 ? sql`, ${sql.join(counters(customerId, keys))}` : sql``}
    from plans where plans.id = ${planId}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error(`plan ${planId} not found`);
  const usage = Object.fromEntries(keys.map((k) => [k, Number(row[k] ?? 0)])) as Pick<PlanUsage, K>;
  return { name: row.name, limits: row.limits, usage };
}

/** Every counter but the per-day ones (what a plan change must fit). */
export async function customerUsage(
  db: Db,
  customerId: number,
): Promise<Omit<PlanUsage, 'backupsPerDay' | 'restoresPerDay'>> {
  const keys = [
    'sites',
    'databases',
    'domains',
    'mailboxes',
    'mailboxQuotaBytes',
    'aliases',
    'dnsRecords',
    'cronJobs',
  ] as const;
  const result = await sql<Record<string, unknown>>`select ${sql.join(counters(customerId, keys))}`.execute(
    db,
  );
  const row = result.rows[0] ?? {};
  return Object.fromEntries(keys.map((k) => [k, Number(row[k] ?? 0)])) as Omit<
    PlanUsage,
    'backupsPerDay' | 'restoresPerDay'
  >;
}

/** A plan by id (the caller knows it exists: a customer's foreign key). */
export async function findPlanById(db: Db, planId: number): Promise<{ name: string; limits: PlanLimits }> {
  const plan = await db
    .selectFrom('plans')
    .select(['name', 'limits'])
    .where('id', '=', planId)
    .executeTakeFirstOrThrow();
  return { name: plan.name, limits: plan.limits as PlanLimits };
}
