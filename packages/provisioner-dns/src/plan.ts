import {
  type DesiredZone,
  normalizeRrset,
  type Rrset,
  rrsetKey,
  rrsetsEqual,
  sortRrsets,
  withSoaSerial,
} from '@hostplane/domain';

// Desired zones vs what PowerDNS holds → plain data the adapter applies (and a test compares with
// toEqual). Only zones carrying this customer's ownership mark are ever changed or deleted.

export interface ObservedZone {
  name: string;
  /** The zone's `account` field: our ownership mark, or someone else's value. */
  account: string;
  kind: string;
  soaEditApi: string;
  dnssec: boolean;
  /** The zone's rrsets; null when not read (zones we do not own). */
  rrsets: Rrset[] | null;
}

export type RrsetChange =
  | { changetype: 'REPLACE'; name: string; type: string; ttl: number; records: string[] }
  | { changetype: 'DELETE'; name: string; type: string };

export interface ZonePlan {
  /** New zones, created with all their rrsets and DNSSEC setting in one call each. */
  create: DesiredZone[];
  /** Zones with our mark that are no longer desired. */
  delete: string[];
  /** Per zone, only the rrsets that differ: one PATCH each. */
  patch: { zone: string; changes: RrsetChange[] }[];
  /** Zone settings that drifted (kind, SOA-EDIT-API). */
  settings: { zone: string; kind: string; soaEditApi: string }[];
  dnssec: { zone: string; enabled: boolean }[];
  /** Desired zones that exist without our mark: never touched, reported. */
  conflicts: { zone: string; account: string }[];
}

export function emptyPlan(): ZonePlan {
  return { create: [], delete: [], patch: [], settings: [], dnssec: [], conflicts: [] };
}

/** Number of write operations the plan asks for (conflicts are not writes). */
export function countPlanChanges(plan: ZonePlan): number {
  const rrsets = plan.patch.reduce((n, p) => n + p.changes.length, 0);
  return plan.create.length + plan.delete.length + rrsets + plan.settings.length + plan.dnssec.length;
}

function planRrsets(desired: DesiredZone, observedRrsets: Rrset[]): RrsetChange[] {
  const observed = new Map(observedRrsets.map((r) => [rrsetKey(r), normalizeRrset(r)]));
  const changes: RrsetChange[] = [];
  for (const want of desired.rrsets) {
    const key = rrsetKey(want);
    const have = observed.get(key);
    observed.delete(key);
    if (have && rrsetsEqual(want, have)) continue;
    // Keep the zone's serial: PowerDNS increases it from there (SOA-EDIT-API).
    const serial = want.type === 'SOA' && have?.records[0] ? have.records[0].split(' ')[2] : undefined;
    const records = serial ? want.records.map((c) => withSoaSerial(c, serial)) : want.records;
    changes.push({ changetype: 'REPLACE', name: want.name, type: want.type, ttl: want.ttl, records });
  }
  for (const stale of sortRrsets([...observed.values()])) {
    changes.push({ changetype: 'DELETE', name: stale.name, type: stale.type });
  }
  return changes;
}

/** What to do so that PowerDNS holds exactly `desired` for the customer whose mark is `account`. */
export function planZoneChanges(desired: DesiredZone[], observed: ObservedZone[], account: string): ZonePlan {
  const plan = emptyPlan();
  const observedByName = new Map(observed.map((z) => [z.name, z]));
  const desiredNames = new Set(desired.map((z) => z.name));
  for (const zone of desired) {
    const have = observedByName.get(zone.name);
    if (!have) {
      plan.create.push(zone);
      continue;
    }
    if (have.account !== account) {
      plan.conflicts.push({ zone: zone.name, account: have.account });
      continue;
    }
    const changes = planRrsets(zone, have.rrsets ?? []);
    if (changes.length > 0) plan.patch.push({ zone: zone.name, changes });
    if (have.kind !== zone.kind || have.soaEditApi !== zone.soaEditApi) {
      plan.settings.push({ zone: zone.name, kind: zone.kind, soaEditApi: zone.soaEditApi });
    }
    if (have.dnssec !== zone.dnssec) plan.dnssec.push({ zone: zone.name, enabled: zone.dnssec });
  }
  for (const zone of observed) {
    if (zone.account === account && !desiredNames.has(zone.name)) plan.delete.push(zone.name);
  }
  plan.delete.sort();
  return plan;
}
