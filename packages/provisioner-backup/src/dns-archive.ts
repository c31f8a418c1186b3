// DNS zones in customer backups (issue 15). A zone's desired state is the panel's rows (the domain's
// DNSSEC flag, its rrsets), which a backup copies; the one thing the rows do not hold is a signed
// zone's keys, which PowerDNS generated: the backup copies them from PowerDNS's API. One JSON object per
// zone and backup, `<prefix>/<backup>/<zone>.json`, in the object store Velero and the mail archive
// write to. A restore writes the rows back (the DNS target then reconciles PowerDNS to them, as after
// any edit) and puts the backup's keys back into PowerDNS, so the DS at the registrar still matches.
import {
  type DomainRow,
  planZoneKeyRestore,
  planZoneRowRestore,
  type ZoneCopy,
  type ZoneKeyCopy,
  type ZoneRowRestore,
  zoneCopyOf,
  zoneCopySchema,
} from '@hostplane/domain';
import type { ArchiveStore } from './mail-archive.ts';

/** PowerDNS's keys of a zone (satisfied by @hostplane/provisioner-dns's PowerDnsZoneKeys). */
export interface ZoneKeyStore {
  /** The zone's keys with their private parts; [] when unsigned, null when PowerDNS has no such zone. */
  keysOf(zone: string): Promise<(ZoneKeyCopy & { id?: number | undefined })[] | null>;
  importKey(zone: string, key: ZoneKeyCopy): Promise<void>;
  deleteKey(zone: string, id: number): Promise<void>;
  /** After a key change: signatures and caches follow. */
  settle(zone: string): Promise<void>;
}

/** The panel's DNS rows (satisfied by @hostplane/db's zoneRowLedger). */
export interface ZoneRowLedger {
  /** Writes the planned rows; answers how many were written. */
  restoreZone(customerId: number, zone: string, restore: ZoneRowRestore): Promise<number>;
}

export interface ZoneRestoreResult {
  /** Rows written and keys imported or removed in this call. */
  changes: number;
  /** Zones not yet as the backup had them and that this call could not finish (PowerDNS must catch up first). */
  pending: string[];
}

/** What the Backup target needs from the DNS archive (null when the platform has none configured). */
export interface DnsArchive {
  /** Copies these domains' zones (rows, and keys when signed) under `backup`; answers the zones stored. */
  exportZones(backup: string, domains: readonly DomainRow[]): Promise<string[]>;
  /** Brings `zones` of `backup` back into the customer's domains that exist now (`current`). */
  restoreZones(
    backup: string,
    customerId: number,
    zones: readonly string[],
    current: readonly DomainRow[],
  ): Promise<ZoneRestoreResult>;
  /** Removes what was exported with `backup`; answers how many objects. */
  forget(backup: string): Promise<number>;
}

export interface ZoneArchiveOptions {
  store: ArchiveStore;
  keys: ZoneKeyStore;
  rows: ZoneRowLedger;
  /** Key prefix in the bucket, without a trailing slash. */
  prefix: string;
}

export class ZoneArchive implements DnsArchive {
  constructor(private readonly options: ZoneArchiveOptions) {}

  private key(backup: string, zone: string): string {
    return `${this.options.prefix}/${backup}/${zone}.json`;
  }

  async exportZones(backup: string, domains: readonly DomainRow[]): Promise<string[]> {
    const zones: string[] = [];
    for (const domain of domains.filter((d) => d.dns)) {
      const keys = domain.dnssec ? ((await this.options.keys.keysOf(domain.name)) ?? []) : [];
      const copy: ZoneCopy = zoneCopySchema.parse({
        ...zoneCopyOf(domain),
        keys: keys.map(({ keytype, active, published, dnskey, privatekey }) => ({
          keytype,
          active,
          published,
          dnskey,
          privatekey,
        })),
      });
      await this.options.store.put(
        this.key(backup, domain.name),
        { bytes: new TextEncoder().encode(JSON.stringify(copy)) },
        'application/json',
      );
      zones.push(domain.name);
    }
    return zones.sort();
  }

  async restoreZones(
    backup: string,
    customerId: number,
    zones: readonly string[],
    current: readonly DomainRow[],
  ): Promise<ZoneRestoreResult> {
    const result: ZoneRestoreResult = { changes: 0, pending: [] };
    for (const zone of zones) {
      const now = current.find((d) => d.name === zone && d.dns);
      if (!now) continue; // the domain is gone: its rows are not re-created (docs/backups.md)
      const copy = zoneCopySchema.parse(
        JSON.parse(new TextDecoder().decode(await this.options.store.getBytes(this.key(backup, zone)))),
      );
      const rows = planZoneRowRestore(copy, now);
      const written = await this.options.rows.restoreZone(customerId, zone, rows);
      result.changes += written;
      if (copy.keys.length === 0) continue;
      // Keys only once the rows (as this pass's snapshot read them) say the zone is signed: the DNS
      // target, running beside this one, would otherwise unsign a zone whose row says unsigned.
      if (!now.dnssec) {
        result.pending.push(zone);
        continue;
      }
      const live = await this.options.keys.keysOf(zone);
      if (live === null) {
        result.pending.push(zone); // the DNS target has not created the zone yet
        continue;
      }
      const plan = planZoneKeyRestore(copy.keys, live);
      for (const key of plan.import) await this.options.keys.importKey(zone, key);
      for (const id of plan.delete) await this.options.keys.deleteKey(zone, id);
      const changed = plan.import.length + plan.delete.length;
      if (changed > 0) await this.options.keys.settle(zone);
      result.changes += changed;
    }
    return result;
  }

  async forget(backup: string): Promise<number> {
    const keys = (await this.options.store.list(`${this.options.prefix}/${backup}/`)).map((o) => o.key);
    if (keys.length > 0) await this.options.store.delete(keys);
    return keys.length;
  }
}
