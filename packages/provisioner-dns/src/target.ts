import type { CustomerSnapshot } from '@hostplane/domain';
import {
  appliedAfterPass,
  type DesiredZone,
  type DnsPlatformConfig,
  desiredFingerprints,
  desiredZones,
  type ZoneReadPlan,
  zoneAccount,
  zonesToRead,
} from '@hostplane/domain';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import { ConflictError, DnsProviderError, UnavailableError } from './errors.ts';
import { countPlanChanges, emptyPlan, type ObservedZone, planZoneChanges, type ZonePlan } from './plan.ts';
import type { AppliedZonesStore, ApplyReport, DnsZones } from './port.ts';

// The DNS target of the reconcile engine: desired (pure) → observe → plan (pure) → apply → verify.
// With an `applied` store, a change pass reads and writes only the zones whose desired state moved
// since it was last applied (rule: @hostplane/domain zonesToRead); a full pass reads them all.

export interface DnsTargetDeps {
  zones: DnsZones;
  config: DnsPlatformConfig;
  /** What was last applied per zone (the panel's database). Without it every pass is a full pass. */
  applied?: AppliedZonesStore;
}

async function observeAndPlan(
  deps: DnsTargetDeps,
  desired: DesiredZone[],
  account: string,
  ctx: PassContext,
  only?: readonly string[],
  known: readonly ObservedZone[] = [],
): Promise<ZonePlan> {
  const names = desired.map((z) => z.name);
  const knownNames = new Set(known.map((z) => z.name));
  const toRead = only?.filter((name) => !knownNames.has(name));
  const read =
    toRead?.length === 0
      ? []
      : await deps.zones.observe(account, names, {
          signal: ctx.signal,
          ...(toRead ? { only: toRead } : {}),
        });
  const observed = [...known, ...read];
  const wanted = only ? desired.filter((z) => only.includes(z.name)) : desired;
  return planZoneChanges(wanted, observed, account);
}

/**
 * The plan of a change pass. Zones never applied for this customer (no fingerprint) are created
 * without a read first: PowerDNS refuses to create a zone that exists (409), never overwrites it, and
 * such a zone is then read and planned like any other. Zones applied before are read.
 */
async function changePlan(
  deps: DnsTargetDeps,
  desired: DesiredZone[],
  account: string,
  ctx: PassContext,
  zones: readonly string[],
  applied: ReadonlyMap<string, string>,
): Promise<{ plan: ZonePlan; fresh: Set<string> }> {
  const fresh = new Set(zones.filter((z) => !applied.has(z) && desired.some((d) => d.name === z)));
  const known = zones.filter((z) => !fresh.has(z));
  const plan = known.length > 0 ? await observeAndPlan(deps, desired, account, ctx, known) : emptyPlan();
  plan.create.push(...desired.filter((z) => fresh.has(z.name)));
  return { plan, fresh };
}

/** Applies a plan; zones an optimistic create found existing are read, planned and applied again. */
async function applyPlan(
  deps: DnsTargetDeps,
  desired: DesiredZone[],
  account: string,
  ctx: PassContext,
  plan: ZonePlan,
  fresh: ReadonlySet<string>,
): Promise<{ plan: ZonePlan; report: ApplyReport }> {
  const report = await deps.zones.apply(plan, ctx.log, ctx.signal);
  const existing = report.failures
    .filter((f) => f.op === 'createZone' && f.error instanceof ConflictError && fresh.has(f.zone))
    .map((f) => f.zone);
  if (existing.length === 0) return { plan, report };
  const again = await observeAndPlan(deps, desired, account, ctx, existing);
  const second = countPlanChanges(again) > 0 ? await deps.zones.apply(again, ctx.log, ctx.signal) : null;
  const merged: ZonePlan = {
    create: plan.create.filter((z) => !existing.includes(z.name)).concat(again.create),
    delete: [...plan.delete, ...again.delete],
    patch: [...plan.patch, ...again.patch],
    settings: [...plan.settings, ...again.settings],
    dnssec: [...plan.dnssec, ...again.dnssec],
    conflicts: [...plan.conflicts, ...again.conflicts],
  };
  return {
    plan: merged,
    report: {
      applied: report.applied + (second?.applied ?? 0),
      failures: [
        ...report.failures.filter((f) => !(f.op === 'createZone' && existing.includes(f.zone))),
        ...(second?.failures ?? []),
      ],
      created: [...(report.created ?? []), ...(second?.created ?? [])],
    },
  };
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

function readyOutcome(snapshot: CustomerSnapshot, desired: DesiredZone[], changes: number): TargetOutcome {
  if (snapshot.deleting)
    return { status: 'True', reason: 'Deleted', message: 'all DNS zones removed', changes };
  const message = desired.length === 0 ? 'no DNS-hosted domains' : `${desired.length} zone(s) served`;
  return { status: 'True', reason: 'Ready', message, changes };
}

/**
 * The end of a pass that wrote: created zones are purged from PowerDNS's caches (its POST does not
 * purge, see PowerDnsZones.apply) while the pass's bookkeeping in the panel's database runs, two
 * independent round trips at once. A failed purge fails the pass (retryable): the zones hold their
 * desired state, only an answer cached before they existed may lag, and the retry is a full pass.
 */
async function settle(
  deps: DnsTargetDeps,
  ctx: PassContext,
  created: readonly string[],
  bookkeeping: Promise<unknown> | undefined,
  /** `log`: a failed purge is logged only (the pass already reports a failure). */
  onPurgeFailure: 'throw' | 'log' = 'throw',
): Promise<void> {
  const [purged, kept] = await Promise.allSettled([
    created.length > 0 ? deps.zones.purgeCaches(created, ctx.signal) : Promise.resolve(),
    bookkeeping,
  ]);
  if (purged.status === 'rejected') {
    const reason = purged.reason instanceof Error ? purged.reason.message : String(purged.reason);
    if (onPurgeFailure === 'log') ctx.log.warn({ zones: created, error: reason }, 'dns cache purge failed');
    else
      throw new UnavailableError(`purging PowerDNS's caches of ${created.join(', ')} failed: ${reason}`, {
        cause: purged.reason,
      });
  }
  if (kept.status === 'rejected') throw kept.reason;
}

export function createDnsTarget(deps: DnsTargetDeps): Target {
  return {
    name: 'DNS',
    async run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
      const account = zoneAccount(deps.config, snapshot.id);
      const store = deps.applied;
      // A deleting customer is always a full pass: every zone carrying its mark must go.
      const pass = store && ctx.pass === 'change' && !snapshot.deleting ? 'change' : 'full';
      // What was last applied: from the snapshot when the engine loaded it there (no round trip),
      // else read from the store while the desired state and its fingerprints are computed.
      const reading = !store
        ? Promise.resolve(new Map<string, string>())
        : snapshot.dnsApplied
          ? Promise.resolve(new Map(Object.entries(snapshot.dnsApplied)))
          : store.applied(snapshot.id);
      let desired: DesiredZone[];
      let wanted: Map<string, string>;
      try {
        desired = desiredZones(snapshot, deps.config);
        wanted = desiredFingerprints(desired);
      } finally {
        // Never an unhandled rejection: a failed read is reported by the await below.
        reading.catch(() => undefined);
      }
      const applied = await reading;
      const read: ZoneReadPlan = zonesToRead(wanted, applied, pass);
      if (!read.full && read.zones.length === 0) return readyOutcome(snapshot, desired, 0);
      let { plan, fresh } = read.full
        ? { plan: await observeAndPlan(deps, desired, account, ctx), fresh: new Set<string>() }
        : await changePlan(deps, desired, account, ctx, read.zones, applied);
      let changes = 0;
      /** Zones this pass created: purged from PowerDNS's caches whatever the outcome. */
      let created: string[] = [];
      if (countPlanChanges(plan) > 0) {
        ctx.log.info({ plan: summarise(plan), pass }, 'dns plan');
        const applying = await applyPlan(deps, desired, account, ctx, plan, fresh);
        plan = applying.plan;
        const report = applying.report;
        const failedCreates = new Set(
          report.failures.filter((f) => f.op === 'createZone').map((f) => f.zone),
        );
        created = plan.create.map((z) => z.name).filter((z) => !failedCreates.has(z));
        if (report.failures.length > 0) {
          // Whatever happened, the next pass reads every desired zone again. The failure is what the
          // pass reports: a purge failing too is only logged.
          await settle(deps, ctx, created, store?.forget(snapshot.id), 'log');
          return failureOutcome(report);
        }
        changes = report.applied;
        // Zones just created are checked against PowerDNS's answer to the create; the rest are read.
        const again = await observeAndPlan(
          deps,
          desired,
          account,
          ctx,
          touchedZones(plan),
          report.created ?? [],
        );
        if (countPlanChanges(again) > 0) {
          await settle(deps, ctx, created, store?.forget(snapshot.id), 'log');
          ctx.log.warn({ plan: summarise(again) }, 'dns not converged after apply');
          const message = 'PowerDNS does not hold the desired zones after applying; will check again';
          return { status: 'False', reason: 'NotConverged', message, changes, requeue: true };
        }
      }
      const conflicts = plan.conflicts.map((c) => c.zone);
      await settle(
        deps,
        ctx,
        created,
        store?.record(snapshot.id, applied, appliedAfterPass(wanted, applied, read, conflicts)),
      );
      if (plan.conflicts.length > 0) return conflictOutcome(plan, changes);
      return readyOutcome(snapshot, desired, changes);
    },
  };
}
