import { type Kysely, sql } from 'kysely';
import type { PanelDatabase } from './schema.ts';

/**
 * Stores what the Kubernetes target observed for each site of a customer (the worker's
 * SiteStatusSink). Only rows that still exist are touched; a site deleted meanwhile is skipped.
 * Not a desired-state change: the customer's generation is left alone.
 */
export async function saveSiteStatuses<T extends { name: string }>(
  db: Kysely<PanelDatabase>,
  customerId: number,
  generation: number,
  statuses: readonly T[],
): Promise<void> {
  for (const { name, ...status } of statuses) {
    await db
      .updateTable('sites')
      .set({ status: JSON.stringify(status), status_generation: generation, status_updated_at: sql`now()` })
      .where('customer_id', '=', customerId)
      .where('name', '=', name)
      .execute();
  }
}
