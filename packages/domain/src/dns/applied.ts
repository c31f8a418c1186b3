import { createHash } from 'node:crypto';
import type { DesiredZone } from './desired.ts';

// Which zones a DNS pass reads, and what it remembers afterwards (issue 10: the per-zone ratio).
// The panel's database keeps, per customer and zone, a fingerprint of the desired state that was
// last applied AND verified on PowerDNS. A change pass (a mutation asked for it) reads and writes
// only the zones whose desired fingerprint differs from the applied one, plus the zones applied
// before and no longer desired (they are deleted). A full pass (the periodic resync, a retry after a
// failure, a deleting customer) reads every zone, so drift made on PowerDNS directly is repaired.

/** The fingerprint of a desired zone: a hash of everything the target writes (settings, rrsets). */
export function zoneFingerprint(zone: DesiredZone): string {
  const canonical = {
    name: zone.name,
    kind: zone.kind,
    soaEditApi: zone.soaEditApi,
    account: zone.account,
    dnssec: zone.dnssec,
    // desiredZones sorts rrsets and normalises their records; `managed` does not reach PowerDNS.
    rrsets: zone.rrsets.map((r) => [r.name, r.type, r.ttl, r.records]),
  };
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}

/** Zone name → fingerprint of the desired state last applied and verified. */
export type AppliedZones = ReadonlyMap<string, string>;

/** Zone name → fingerprint of each desired zone (computed once per pass). */
export function desiredFingerprints(desired: readonly DesiredZone[]): Map<string, string> {
  return new Map(desired.map((z) => [z.name, zoneFingerprint(z)]));
}

export type ZoneReadPlan =
  /** Read every zone of the customer (its desired zones and every zone carrying its mark). */
  | { full: true }
  /** Read only these zones; an empty list means the pass has nothing to do. */
  | { full: false; zones: string[] };

/** What a pass reads: everything on a full pass, else only the zones whose fingerprint moved. */
export function zonesToRead(
  wanted: AppliedZones,
  applied: AppliedZones,
  pass: 'change' | 'full',
): ZoneReadPlan {
  if (pass === 'full') return { full: true };
  const changed = [...wanted].filter(([name, fp]) => applied.get(name) !== fp).map(([name]) => name);
  const dropped = [...applied.keys()].filter((name) => !wanted.has(name));
  return { full: false, zones: [...new Set([...changed, ...dropped])].sort() };
}

/**
 * The applied fingerprints after a pass that converged: every zone the pass read now holds its
 * desired state (or is gone), except zones held by someone else (never recorded, so they are read
 * again and reported on every pass).
 */
export function appliedAfterPass(
  wanted: AppliedZones,
  applied: AppliedZones,
  read: ZoneReadPlan,
  conflicts: readonly string[],
): Map<string, string> {
  const next = new Map(read.full ? [] : applied);
  const readNames = read.full ? [...wanted.keys()] : read.zones;
  for (const name of readNames) {
    const fp = wanted.get(name);
    if (fp === undefined || conflicts.includes(name)) next.delete(name);
    else next.set(name, fp);
  }
  return next;
}

/** The rows to write to go from `before` to `after`: upserts and deletions, empty when equal. */
export function appliedZonesDiff(
  before: AppliedZones,
  after: AppliedZones,
): { upsert: { zone: string; fingerprint: string }[]; remove: string[] } {
  const upsert = [...after]
    .filter(([zone, fp]) => before.get(zone) !== fp)
    .map(([zone, fingerprint]) => ({ zone, fingerprint }));
  const remove = [...before.keys()].filter((zone) => !after.has(zone));
  return { upsert, remove };
}
