// The DNS target's record of what it applied (issue 10): per customer and zone, the fingerprint of
// the desired state last applied and verified on PowerDNS. The rule (which zones a pass reads, what
// it records) is in @hostplane/domain; this file holds the SQL. It lives in the panel's database so
// every worker process shares it (a per-process cache would let a second worker skip a zone the
// first one never applied).
import { type AppliedZones, appliedZonesDiff } from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface DnsAppliedZonesStore {
  /** Zone → fingerprint last applied for the customer (empty when none recorded). */
  applied(customerId: number): Promise<Map<string, string>>;
  /** Makes the record `after`; writes only the rows that differ from `before` (none when equal). */
  record(customerId: number, before: AppliedZones, after: AppliedZones): Promise<number>;
  /** Forgets everything recorded for the customer: its next pass reads every desired zone. */
  forget(customerId: number): Promise<void>;
}

export function dnsAppliedZonesStore(db: Db): DnsAppliedZonesStore {
  return {
    async applied(customerId) {
      const rows = await db
        .selectFrom('dns_applied_zones')
        .select(['zone', 'fingerprint'])
        .where('customer_id', '=', customerId)
        .execute();
      return new Map(rows.map((r) => [r.zone, r.fingerprint]));
    },

    async record(customerId, before, after) {
      const { upsert, remove } = appliedZonesDiff(before, after);
      if (upsert.length > 0) {
        await db
          .insertInto('dns_applied_zones')
          .values(upsert.map((u) => ({ customer_id: customerId, zone: u.zone, fingerprint: u.fingerprint })))
          .onConflict((oc) =>
            oc.columns(['customer_id', 'zone']).doUpdateSet((eb) => ({
              fingerprint: eb.ref('excluded.fingerprint'),
              applied_at: new Date(),
            })),
          )
          .execute();
      }
      if (remove.length > 0) {
        await db
          .deleteFrom('dns_applied_zones')
          .where('customer_id', '=', customerId)
          .where('zone', 'in', remove)
          .execute();
      }
      return upsert.length + remove.length;
    },

    async forget(customerId) {
      await db.deleteFrom('dns_applied_zones').where('customer_id', '=', customerId).execute();
    },
  };
}
