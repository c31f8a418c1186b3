import { canonicalContent, withSoaSerial } from './content.ts';
import type { Rrset } from './types.ts';

// Both sides of every comparison pass through normalizeRrset: most endless diffs are a trailing
// dot, a capital letter, a different record order or TXT quoting, not a real change.

export function normalizeDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export function rrsetKey(r: Pick<Rrset, 'name' | 'type'>): string {
  return `${normalizeDnsName(r.name)}|${r.type.toUpperCase()}`;
}

/** Canonical records of one rrset: canonical content (unparseable content kept trimmed), unique, sorted. */
export function normalizeRecords(type: string, records: readonly string[]): string[] {
  const canonical = records.map((content) => {
    const c = canonicalContent(type, content);
    return c.ok ? c.value : content.trim();
  });
  return [...new Set(canonical)].sort();
}

export function normalizeRrset(r: Rrset): Rrset {
  const type = r.type.toUpperCase();
  return { name: normalizeDnsName(r.name), type, ttl: r.ttl, records: normalizeRecords(type, r.records) };
}

export function sortRrsets<T extends Pick<Rrset, 'name' | 'type'>>(rrsets: readonly T[]): T[] {
  return [...rrsets].sort((a, b) => rrsetKey(a).localeCompare(rrsetKey(b)));
}

/** Equality of normalised rrsets; SOA serials are PowerDNS's business (SOA-EDIT-API) and ignored. */
export function rrsetsEqual(desired: Rrset, observed: Rrset): boolean {
  if (desired.ttl !== observed.ttl || desired.records.length !== observed.records.length) return false;
  const strip = (content: string) => (desired.type === 'SOA' ? withSoaSerial(content, 0) : content);
  return desired.records.every((content, i) => strip(content) === strip(observed.records[i] as string));
}
