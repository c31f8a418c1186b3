// The reconcile engine's reads and writes of the panel's tables, behind one typed interface: the
// engine (packages/reconcile) decides, this file holds the SQL. One pass's effects are written in
// one transaction, so the engine builds the store over that transaction.
import type { ConditionType } from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import { purgeDeletedCustomerRows } from './customer-deletion.ts';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/** One condition of a customer as the engine writes it. */
export interface ConditionRow {
  customerId: number;
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: Date;
  lastError: string | null;
  /** Consecutive failed passes of this target (0 after a pass that did not throw). */
  attempts: number;
  nextAttemptAt: Date | null;
}

export type PreviousCondition = Pick<ConditionRow, 'status' | 'lastTransitionTime' | 'attempts'>;

export interface ReconcileStore {
  /** The customer's conditions as the last pass wrote them, by type. */
  previousConditions(customerId: number): Promise<Map<ConditionType, PreviousCondition>>;
  /** Upserts the conditions of a pass (one row per customer and type). */
  writeConditions(rows: readonly ConditionRow[], now: Date): Promise<void>;
  /**
   * Every target removed what it owned of a deleting customer: `deleted_at` is set and the rows
   * that hold names (domains, addresses, the login's email) are removed, so the names are free again.
   */
  markCustomerDeleted(customerId: number, now: Date): Promise<void>;
}

/** The store over the panel's PostgreSQL (a handle or the pass's transaction). */
export function panelReconcileStore(db: Db): ReconcileStore {
  return {
    async previousConditions(customerId) {
      const rows = await db
        .selectFrom('customer_conditions')
        .select(['type', 'status', 'last_transition_time', 'attempts'])
        .where('customer_id', '=', customerId)
        .execute();
      return new Map(
        rows.map((r) => [
          r.type as ConditionType,
          {
            status: r.status as PreviousCondition['status'],
            lastTransitionTime: new Date(r.last_transition_time),
            attempts: Number(r.attempts),
          },
        ]),
      );
    },

    async writeConditions(rows, now) {
      if (rows.length === 0) return;
      await db
        .insertInto('customer_conditions')
        .values(
          rows.map((r) => ({
            customer_id: r.customerId,
            type: r.type,
            status: r.status,
            reason: r.reason,
            message: r.message,
            observed_generation: r.observedGeneration,
            last_transition_time: r.lastTransitionTime,
            last_error: r.lastError,
            attempts: r.attempts,
            next_attempt_at: r.nextAttemptAt,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['customer_id', 'type']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            reason: eb.ref('excluded.reason'),
            message: eb.ref('excluded.message'),
            observed_generation: eb.ref('excluded.observed_generation'),
            last_transition_time: eb.ref('excluded.last_transition_time'),
            last_error: eb.ref('excluded.last_error'),
            attempts: eb.ref('excluded.attempts'),
            next_attempt_at: eb.ref('excluded.next_attempt_at'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    },

    async markCustomerDeleted(customerId, now) {
      await db
        .updateTable('customers')
        .set({ deleted_at: now })
        .where('id', '=', customerId)
        .where('deleting', '=', true)
        .where('deleted_at', 'is', null)
        .execute();
      await purgeDeletedCustomerRows(db, customerId);
    },
  };
}
