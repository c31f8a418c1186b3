// Plan limits at the API's edge: the rules are @hostplane/domain's (plans/limits), the counting is
// @hostplane/db's (plan-usage); this file turns an overrun into the 409 every route answers.
import { customerUsage, loadCustomerSnapshot, type PanelDatabase, planWithUsage } from '@hostplane/db';
import {
  countedPlanConflicts,
  describeLimitRefusal,
  describeQuotaConflict,
  destinationsOverrun,
  type PlanLimits,
  type PlanUsage,
  planOverruns,
  planQuotaConflicts,
  type TenantPlatformConfig,
} from '@hostplane/domain';
import type { Transaction } from 'kysely';
import { PlanConflictError, PlanLimitError } from './errors.ts';

export { findPlanById as planOf } from '@hostplane/db';

/** An alias's destinations within the plan's destinationsPerAlias (409 like every plan limit). */
export function assertDestinationsWithinPlan(
  plan: { name: string; limits: PlanLimits },
  count: number,
): void {
  const over = destinationsOverrun(plan.limits, count);
  if (over)
    throw new PlanLimitError(
      over.limit,
      `plan "${plan.name}" allows ${over.allowed} destinations per alias (limit destinationsPerAlias); this has ${count}`,
    );
}

/**
 * Usage after a change, checked against the customer's plan; 409 naming the first limit it would go
 * over. Only what grows is checked: a customer already over a lowered plan may still shrink. This
 * runs while the customer row is locked, so one query reads the plan and the counters.
 */
export async function assertChangeWithinPlan(
  trx: Transaction<PanelDatabase>,
  customer: { id: number; plan_id: number },
  delta: Partial<PlanUsage>,
): Promise<void> {
  const grown = (Object.keys(delta) as (keyof PlanUsage)[]).filter((k) => (delta[k] ?? 0) > 0);
  if (grown.length === 0) return;
  const plan = await planWithUsage(trx, customer.plan_id, customer.id, grown);
  const next: Partial<PlanUsage> = {};
  for (const key of grown) next[key] = plan.usage[key] + (delta[key] ?? 0);
  const [first] = planOverruns(plan.limits, next);
  if (first) throw new PlanLimitError(first.limit, describeLimitRefusal(plan.name, plan.limits, first));
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
  const conflicts = [
    ...planQuotaConflicts(snapshot, plan.limits, platform),
    ...countedPlanConflicts(plan.limits, await customerUsage(trx, customerId)),
  ];
  if (conflicts.length === 0) return;
  throw new PlanConflictError(
    plan.name,
    conflicts.map((c) => ({ resource: c.resource, message: describeQuotaConflict(plan.name, c) })),
  );
}
