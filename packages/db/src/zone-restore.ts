import type { ZoneRowRestore } from '@hostplane/domain';
import { type Kysely, sql } from 'kysely';
import { bumpCustomerGeneration } from './domain-verification.ts';
import type { PanelDatabase } from './schema.ts';

// A customer restore puts the backup's DNS rows back (issue 15; provisioner-backup's dns-archive.ts):
// the rows are the source of truth for a zone, so the DNS target then reconciles PowerDNS to them as
// after any edit in the panel. The customer's generation moves, so the next pass reports on them.

/**
 * Writes `restore` (planned by planZoneRowRestore) on the customer's domain `zone`, in one transaction
 * with the generation bump; answers the rows written (0 when the domain is gone or nothing was planned).
 */
export async function restoreZoneRows(
  db: Kysely<PanelDatabase>,
  customerId: number,
  zone: string,
  restore: ZoneRowRestore,
): Promise<number> {
  if (restore.records.length === 0 && restore.dnssec === null) return 0;
  return db.transaction().execute(async (trx) => {
    const domain = await trx
      .selectFrom('domains')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('name', '=', zone)
      .executeTakeFirst();
    if (!domain) return 0;
    let written = 0;
    for (const r of restore.records) {
      await trx
        .insertInto('dns_records')
        .values({ domain_id: domain.id, name: r.name, type: r.type, ttl: r.ttl, records: r.records })
        .onConflict((oc) =>
          oc
            .columns(['domain_id', 'name', 'type'])
            .doUpdateSet({ ttl: r.ttl, records: r.records, updated_at: sql`now()` }),
        )
        .execute();
      written++;
    }
    if (restore.dnssec !== null) {
      await trx
        .updateTable('domains')
        .set({ dnssec: restore.dnssec, updated_at: sql`now()` })
        .where('id', '=', domain.id)
        .execute();
      written++;
    }
    await bumpCustomerGeneration(trx, customerId);
    return written;
  });
}

/** For the composition root: the rows side of the Backup target's DNS archive. */
export function zoneRowLedger(db: Kysely<PanelDatabase>) {
  return {
    restoreZone: (customerId: number, zone: string, restore: ZoneRowRestore) =>
      restoreZoneRows(db, customerId, zone, restore),
  };
}
