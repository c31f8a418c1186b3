import { type Kysely, sql } from 'kysely';
import type { PanelDatabase } from './schema.ts';

export interface DomainDnsStatus {
  name: string;
  /** DS records of the signed zone (presentation data and parts); null when unsigned. */
  ds: readonly object[] | null;
}

/**
 * Stores what the DNS target observed for a customer's zones (the DS records of signed ones).
 * Writes only when the value differs, so a converged resync costs no row updates.
 */
export async function saveDomainDnsStatus(
  db: Kysely<PanelDatabase>,
  customerId: number,
  statuses: readonly DomainDnsStatus[],
): Promise<void> {
  for (const { name, ds } of statuses) {
    const value = ds === null ? null : JSON.stringify(ds);
    await db
      .updateTable('domains')
      .set({ ds: value, dns_status_updated_at: sql`now()` })
      .where('customer_id', '=', customerId)
      .where('name', '=', name)
      .where(sql<boolean>`ds is distinct from ${value}::jsonb`)
      .execute();
  }
}
