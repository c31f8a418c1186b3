import type { CustomerSnapshot, DnsRecordRow, DomainRow } from '../snapshot.ts';
import { type DnsPlatformConfig, zoneAccount } from './config.ts';
import { addressDefaultNames, platformRrsets } from './defaults.ts';
import { isSpfText, type ManagedScope, managedReason } from './managed.ts';
import { isNameWithin } from './names.ts';
import { normalizeRrset, rrsetKey, sortRrsets } from './normalize.ts';
import { txtTextFromContent } from './txt.ts';
import type { Rrset } from './types.ts';
import { zoneApexes, zoneForName } from './zones.ts';

// Desired zones of one customer: a pure function of the panel's rows and the platform config.

export interface DesiredRrset extends Rrset {
  /** Read-only for the customer (platform-managed). */
  managed: boolean;
}

export interface DesiredZone {
  name: string;
  kind: DnsPlatformConfig['zoneKind'];
  soaEditApi: DnsPlatformConfig['soaEditApi'];
  /** Ownership mark, `hostplane:cust-{id}`. */
  account: string;
  dnssec: boolean;
  /** Normalised, sorted by name then type. */
  rrsets: DesiredRrset[];
}

type Entries = Map<string, DesiredRrset>;

function namesTaken(entries: Entries, name: string): DesiredRrset[] {
  return [...entries.values()].filter((r) => r.name === name);
}

/** Customer TXT at a mail domain shares the rrset with the platform's SPF value (which wins). */
function mergeIntoSpf(platform: DesiredRrset, row: DnsRecordRow): DesiredRrset {
  const own = row.records.filter((content) => !isSpfText(txtTextFromContent(content) ?? ''));
  return { ...platform, records: [...platform.records, ...own] };
}

function addCustomerRow(entries: Entries, row: DnsRecordRow, scope: ManagedScope): void {
  const key = rrsetKey(row);
  const current = entries.get(key);
  if (current?.managed) {
    if (row.type === 'TXT' && scope.mailDomains.includes(row.name))
      entries.set(key, mergeIntoSpf(current, row));
    return;
  }
  if (managedReason(row.name, row.type, scope)) return;
  const others = namesTaken(entries, row.name).filter((r) => r.type !== row.type);
  // CNAME beside other data is invalid DNS; the editor refuses it, this keeps a bad row harmless.
  if (row.type === 'CNAME' && others.length > 0) return;
  if (others.some((r) => r.type === 'CNAME')) return;
  const records = current ? [...current.records, ...row.records] : row.records;
  entries.set(key, { name: row.name, type: row.type, ttl: row.ttl, records, managed: false });
}

function zoneRrsets(zone: string, domains: DomainRow[], config: DnsPlatformConfig): DesiredRrset[] {
  const entries: Entries = new Map();
  for (const domain of domains) {
    for (const r of platformRrsets(domain, zone, config)) entries.set(rrsetKey(r), r);
  }
  const scope: ManagedScope = {
    zone,
    mailDomains: domains.filter((d) => d.mail).map((d) => d.name),
    webmailDomains: domains.filter((d) => d.webmail).map((d) => d.name),
  };
  const rows = sortRrsets(domains.flatMap((d) => d.records).filter((r) => isNameWithin(r.name, zone)));
  // A customer address or alias at apex/www replaces the platform's default A and AAAA there.
  const defaultNames = new Set(domains.flatMap((d) => addressDefaultNames(d.name)));
  for (const row of rows) {
    if (['A', 'AAAA', 'CNAME'].includes(row.type) && defaultNames.has(row.name)) {
      for (const type of ['A', 'AAAA']) {
        const key = rrsetKey({ name: row.name, type });
        if (entries.get(key)?.managed === false) entries.delete(key);
      }
    }
  }
  for (const row of rows) addCustomerRow(entries, row, scope);
  return sortRrsets([...entries.values()].map((r) => ({ ...normalizeRrset(r), managed: r.managed })));
}

/** The customer's zones (DESIGN: desired → plan → apply); empty when the customer is being deleted. */
export function desiredZones(
  customer: Pick<CustomerSnapshot, 'id' | 'domains' | 'deleting'>,
  config: DnsPlatformConfig,
): DesiredZone[] {
  if (customer.deleting) return [];
  const hosted = customer.domains.filter((d) => d.dns);
  const apexes = zoneApexes(hosted.map((d) => d.name));
  // Each domain's zone found once (a filter per zone made a pass cubic in the customer's domains).
  const byZone = new Map<string, DomainRow[]>();
  for (const d of hosted) {
    const zone = zoneForName(d.name, apexes);
    if (zone !== null) byZone.set(zone, [...(byZone.get(zone) ?? []), d]);
  }
  return apexes.map((zone) => {
    const inZone = byZone.get(zone) ?? [];
    return {
      name: zone,
      kind: config.zoneKind,
      soaEditApi: config.soaEditApi,
      account: zoneAccount(config, customer.id),
      dnssec: inZone.find((d) => d.name === zone)?.dnssec ?? false,
      rrsets: zoneRrsets(zone, inZone, config),
    };
  });
}

/**
 * The rrsets to show in the record editor of `domainName`: the zone's desired rrsets at or below
 * that domain, each marked `managed` (read-only) or not. Pure; no PowerDNS call.
 */
export function recordsView(
  customer: Pick<CustomerSnapshot, 'id' | 'domains'>,
  config: DnsPlatformConfig,
  domainName: string,
): DesiredRrset[] {
  const zones = desiredZones({ ...customer, deleting: false }, config);
  const zone = zones.find((z) => isNameWithin(domainName, z.name));
  return zone ? zone.rrsets.filter((r) => isNameWithin(r.name, domainName)) : [];
}
