import type { CustomerSnapshot } from '@hostplane/domain';
import { type DesiredZone, type DnsPlatformConfig, desiredZones, zoneAccount } from '@hostplane/domain';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import { DnsProviderError, UnavailableError } from './errors.ts';
import { countPlanChanges, planZoneChanges, type ZonePlan } from './plan.ts';
import type { ApplyReport, DnsZones } from './port.ts';

// The DNS target of the reconcile engine: desired (pure) → observe → plan (pure) → apply → verify.

export interface DnsTargetDeps {
  zones: DnsZones;
  config: DnsPlatformConfig;
}

async function observeAndPlan(
  deps: DnsTargetDeps,
  desired: DesiredZone[],
  account: string,
  ctx: PassContext,
  only?: readonly string[],
): Promise<ZonePlan> {
  const names = desired.map((z) => z.name);
  const observed = await deps.zones.observe(account, names, {
    signal: ctx.signal,
    ...(only ? { only } : {}),
  });
  const wanted = only ? desired.filter((z) => only.includes(z.name)) : desired;
  return planZoneChanges(wanted, observed, account);
}

/** The zones a plan writes to: the verify step re-reads only these. */
function touchedZones(plan: ZonePlan): string[] {
  const zones = [
    ...plan.create.map((z) => z.name),
    ...plan.delete,
    ...plan.patch.map((p) => p.zone),
    ...plan.settings.map((s) => s.zone),
    ...plan.dnssec.map((d) => d.zone),
  ];
  return [...new Set(zones)];
}

function summarise(plan: ZonePlan): object {
  return {
    create: plan.create.map((z) => z.name),
    delete: plan.delete,
    patch: plan.patch.map((p) => ({
      zone: p.zone,
      rrsets: p.changes.map((c) => `${c.changetype} ${c.name} ${c.type}`),
    })),
    settings: plan.settings.map((s) => s.zone),
    dnssec: plan.dnssec,
  };
}

function conflictOutcome(plan: ZonePlan, changes: number): TargetOutcome {
  const zones = plan.conflicts.map((c) => c.zone).join(', ');
  return {
    status: 'False',
    reason: 'ZoneNotOwned',
    message: `zone ${zones} exists in PowerDNS without this customer's ownership mark; it was not touched`,
    changes,
  };
}

/** A failed operation: retryable ones fail the pass (the engine retries), others become the condition. */
function failureOutcome(report: ApplyReport): TargetOutcome {
  const retryable = report.failures.find((f) => f.error instanceof DnsProviderError && f.error.retryable);
  const summary = report.failures.map((f) => `${f.op} ${f.zone}: ${f.error.message}`).join('; ');
  if (retryable) {
    throw new UnavailableError(`${report.failures.length} DNS change(s) failed, will retry: ${summary}`, {
      cause: retryable.error,
    });
  }
  const first = report.failures[0]?.error;
  const reason = first instanceof DnsProviderError ? first.reason : 'ApplyFailed';
  return { status: 'False', reason, message: summary, changes: report.applied };
}

export function createDnsTarget(deps: DnsTargetDeps): Target {
  return {
    name: 'DNS',
    async run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
      const account = zoneAccount(deps.config, snapshot.id);
      const desired = desiredZones(snapshot, deps.config);
      const plan = await observeAndPlan(deps, desired, account, ctx);
      let changes = 0;
      if (countPlanChanges(plan) > 0) {
        ctx.log.info({ plan: summarise(plan) }, 'dns plan');
        const report = await deps.zones.apply(plan, ctx.log, ctx.signal);
        if (report.failures.length > 0) return failureOutcome(report);
        changes = report.applied;
        const again = await observeAndPlan(deps, desired, account, ctx, touchedZones(plan));
        if (countPlanChanges(again) > 0) {
          ctx.log.warn({ plan: summarise(again) }, 'dns not converged after apply');
          const message = 'PowerDNS does not hold the desired zones after applying; will check again';
          return { status: 'False', reason: 'NotConverged', message, changes, requeue: true };
        }
      }
      if (plan.conflicts.length > 0) return conflictOutcome(plan, changes);
      if (snapshot.deleting)
        return { status: 'True', reason: 'Deleted', message: 'all DNS zones removed', changes };
      const message = desired.length === 0 ? 'no DNS-hosted domains' : `${desired.length} zone(s) served`;
      return { status: 'True', reason: 'Ready', message, changes };
    },
  };
}
