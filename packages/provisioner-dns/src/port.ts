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
  /** Only these zones (the verify step after an apply re-reads only what it touched). */
  only?: readonly string[];
}

export interface DnsZones {
  /** Zones carrying `account`, with their rrsets, plus zones named in `names` held by others (rrsets null). */
  observe(account: string, names: readonly string[], options?: ObserveOptions): Promise<ObservedZone[]>;
  apply(plan: ZonePlan, log: DnsLogger, signal?: AbortSignal): Promise<ApplyReport>;
  /** DS records of a signed zone for the registrar; [] when the zone is not signed. */
  dsRecords(zone: string, signal?: AbortSignal): Promise<DsRecord[]>;
}
