import type { DnsLogger } from './logger.ts';
import type { ObservedZone, ZonePlan } from './plan.ts';

// The DNS capability the target needs, in our words. PowerDnsZones is the real implementation.

export interface ChangeFailure {
  op: string;
  zone: string;
  error: Error;
}

export interface ApplyReport {
  /** Changes PowerDNS accepted (zones created/deleted, rrsets replaced/deleted, settings, DNSSEC). */
  applied: number;
  /** One entry per failed operation; later operations still ran. */
  failures: ChangeFailure[];
  /** Zones created by this apply as PowerDNS answered the create (the verify step need not read them). */
  created?: ObservedZone[];
}

export interface DsRecord {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
  /** Presentation form for a registrar form: "<keytag> <algorithm> <digest type> <digest>". */
  content: string;
}

export interface ObserveOptions {
  signal?: AbortSignal;
  /**
   * Only these zones, each read by name (the verify step re-reads what it touched; a change pass
   * reads the zones whose desired state moved). No listing of the server's zones.
   */
  only?: readonly string[];
}

/**
 * Where the DNS target keeps, per customer and zone, the fingerprint of the desired state it last
 * applied and verified (issue 10). @hostplane/db's dnsAppliedZonesStore is the real one (the panel's
 * database, shared by every worker). Without it every pass reads every zone.
 */
export interface AppliedZonesStore {
  applied(customerId: number): Promise<Map<string, string>>;
  record(
    customerId: number,
    before: ReadonlyMap<string, string>,
    after: ReadonlyMap<string, string>,
  ): Promise<number>;
  forget(customerId: number): Promise<void>;
}

export interface DnsZones {
  /** Zones carrying `account`, with their rrsets, plus zones named in `names` held by others (rrsets null). */
  observe(account: string, names: readonly string[], options?: ObserveOptions): Promise<ObservedZone[]>;
  /**
   * Applies a plan. Deleted and patched zones answer over DNS at once; created zones may still be
   * answered from the server's caches (an answer given before they existed) until purgeCaches().
   */
  apply(plan: ZonePlan, log: DnsLogger, signal?: AbortSignal): Promise<ApplyReport>;
  /** Makes DNS answers of these zones follow what was applied (drops them from the server's caches). */
  purgeCaches(zones: readonly string[], signal?: AbortSignal): Promise<void>;
  /** DS records of a signed zone for the registrar; [] when the zone is not signed. */
  dsRecords(zone: string, signal?: AbortSignal): Promise<DsRecord[]>;
}
