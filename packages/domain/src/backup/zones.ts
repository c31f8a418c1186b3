// DNS zones in customer backups (issue 15). The panel's rows are the source of truth for a zone's
// desired state, so a backup copies the customer's rows (the domain's DNSSEC flag and its rrsets) and a
// restore writes them back; the DNS target then reconciles PowerDNS to them as after any edit. The only
// thing of a zone the rows do not hold is its DNSSEC keys (PowerDNS generates them): a backup copies
// them from PowerDNS's API and a restore puts the same keys back, so the DS record at the customer's
// registrar still matches.
import { z } from 'zod';
import type { DnsRecordRow, DomainRow } from '../snapshot.ts';

const recordType = z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS']);

export const zoneKeyCopySchema = z.object({
  keytype: z.string(),
  active: z.boolean(),
  published: z.boolean(),
  /** DNSKEY content: a key's identity (the same private key imported elsewhere has the same one). */
  dnskey: z.string(),
  privatekey: z.string(),
});
export type ZoneKeyCopy = z.infer<typeof zoneKeyCopySchema>;

/** One zone as a backup holds it. */
export const zoneCopySchema = z.object({
  zone: z.string(),
  dnssec: z.boolean(),
  records: z.array(
    z.object({ name: z.string(), type: recordType, ttl: z.number().int(), records: z.array(z.string()) }),
  ),
  keys: z.array(zoneKeyCopySchema),
});
export type ZoneCopy = z.infer<typeof zoneCopySchema>;

/** The rows a backup copies of one domain (keys are added from PowerDNS by the archive). */
export function zoneCopyOf(domain: DomainRow): Omit<ZoneCopy, 'keys'> {
  const records = [...domain.records]
    .map((r) => ({ ...r, records: [...r.records].sort() }))
    .sort((a, b) => `${a.name} ${a.type}`.localeCompare(`${b.name} ${b.type}`));
  return { zone: domain.name, dnssec: domain.dnssec, records };
}

export interface ZoneRowRestore {
  /** Rrsets to write (insert or replace by name and type); rrsets made after the backup are kept. */
  records: DnsRecordRow[];
  /** The domain's DNSSEC flag to set (only ever `true`); null: leave it. */
  dnssec: boolean | null;
}

const sameRrset = (a: DnsRecordRow, b: DnsRecordRow) =>
  a.ttl === b.ttl && [...a.records].sort().join('\n') === [...b.records].sort().join('\n');

/**
 * What a restore writes to a domain's rows: every rrset of the backup that is missing or different now
 * (as Velero's `existingResourcePolicy: update` does with objects), and DNSSEC back on when the backup's
 * zone was signed. A restore never turns signing off: a zone signed since the backup may have its DS at
 * the registrar already, and an unsigned zone under a DS does not resolve for validating resolvers.
 * Empty when the rows already say what the backup says (a second pass writes nothing).
 */
export function planZoneRowRestore(copy: Omit<ZoneCopy, 'keys'>, current: DomainRow): ZoneRowRestore {
  const now = new Map(current.records.map((r) => [`${r.name} ${r.type}`, r]));
  const records = copy.records.filter((r) => {
    const have = now.get(`${r.name} ${r.type}`);
    return !have || !sameRrset(have, r);
  });
  return { records, dnssec: copy.dnssec && !current.dnssec ? true : null };
}

export interface ZoneKeyRestore {
  import: ZoneKeyCopy[];
  /** PowerDNS's ids of keys the backup does not hold. */
  delete: number[];
}

/** Makes the zone's keys the backup's: import the missing ones, then remove the others. */
export function planZoneKeyRestore(
  copy: readonly ZoneKeyCopy[],
  live: readonly (ZoneKeyCopy & { id?: number | undefined })[],
): ZoneKeyRestore {
  const held = new Set(copy.map((k) => k.dnskey));
  const present = new Set(live.map((k) => k.dnskey));
  return {
    import: copy.filter((k) => !present.has(k.dnskey)),
    delete:
      copy.length === 0 ? [] : live.flatMap((k) => (!held.has(k.dnskey) && k.id !== undefined ? [k.id] : [])),
  };
}
