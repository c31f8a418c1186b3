import { isNameWithin, registrableDomain } from './names.ts';

// The zone rule (also in docs/dns.md):
//
// 1. A customer's DNS-hosted domains that have no hosted ancestor of the same customer are zone
//    apexes: each becomes one PowerDNS zone.
// 2. A hosted domain below another hosted domain of the same customer (shop.example.com under
//    example.com) is NOT a zone of its own: its default records (A/AAAA, mail records, …) and its
//    customer records are rrsets inside the ancestor's zone. One zone per tree keeps one SOA, one
//    DNSSEC chain and no delegation that the registrar would not know about.
// 3. The rule is recomputed on every pass from the rows: when a customer first hosts
//    shop.example.com (its own zone) and later adds example.com, the next pass moves shop's records
//    into example.com and removes the shop.example.com zone.
// 4. Between customers the unit is the registrable domain (eTLD+1 by the public suffix list): all
//    names under one registrable domain belong to one customer; another customer gets a 409.

/** The zone apexes among a customer's DNS-hosted domain names: those with no hosted ancestor. */
export function zoneApexes(domainNames: readonly string[]): string[] {
  const unique = [...new Set(domainNames)];
  return unique.filter((name) => !unique.some((other) => other !== name && isNameWithin(name, other))).sort();
}

/**
 * The zone that holds `name`: the longest of `customerZones` equal to it or an ancestor of it, or
 * null when it needs a new zone (rule 1) or lies outside every zone.
 */
export function zoneForName(name: string, customerZones: readonly string[]): string | null {
  let best: string | null = null;
  for (const zone of customerZones) {
    if (isNameWithin(name, zone) && (best === null || zone.length > best.length)) best = zone;
  }
  return best;
}

/**
 * Rule 4: the first domain of OTHER customers that shares `name`'s registrable domain, or null.
 * The API answers 409 when this is not null.
 */
export function findDomainConflict(name: string, otherCustomersDomains: readonly string[]): string | null {
  const mine = registrableDomain(name) ?? name;
  for (const other of otherCustomersDomains) {
    if ((registrableDomain(other) ?? other) === mine) return other;
  }
  return null;
}
