// The platform's ACME attempts per host (issue 13): what the Kubernetes target keeps between passes to
// space a failing host's attempts, and what the API shows in a site's certificate status. The rule is in
// @hostplane/domain (tls/acme-attempts.ts); this file holds the SQL.
import { type CertificateAttempt, certificateAttemptChanges } from '@hostplane/domain';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CertificateAttemptsTable, PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export interface CertificateAttemptsStore {
  /** The customer's records, sorted by host (optionally only these hosts). */
  load(customerId: number, hosts?: readonly string[]): Promise<CertificateAttempt[]>;
  /** Makes the records `after`; writes only rows that differ from `before` (none when equal). */
  save(
    customerId: number,
    before: readonly CertificateAttempt[],
    after: readonly CertificateAttempt[],
  ): Promise<number>;
}

function fromRow(row: Selectable<CertificateAttemptsTable>): CertificateAttempt {
  return {
    host: row.host,
    attempts: row.attempts,
    attemptStartedAt: row.attempt_started_at ? new Date(row.attempt_started_at) : null,
    nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at) : null,
    lastError: row.last_error,
  };
}

export function certificateAttemptsStore(db: Db): CertificateAttemptsStore {
  return {
    async load(customerId, hosts) {
      if (hosts && hosts.length === 0) return [];
      let query = db.selectFrom('certificate_attempts').selectAll().where('customer_id', '=', customerId);
      if (hosts) query = query.where('host', 'in', [...hosts]);
      return (await query.orderBy('host').execute()).map(fromRow);
    },

    async save(customerId, before, after) {
      const { upsert, remove } = certificateAttemptChanges(before, after);
      if (upsert.length > 0) {
        await db
          .insertInto('certificate_attempts')
          .values(
            upsert.map((r) => ({
              customer_id: customerId,
              host: r.host,
              attempts: r.attempts,
              attempt_started_at: r.attemptStartedAt,
              next_attempt_at: r.nextAttemptAt,
              last_error: r.lastError,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['customer_id', 'host']).doUpdateSet((eb) => ({
              attempts: eb.ref('excluded.attempts'),
              attempt_started_at: eb.ref('excluded.attempt_started_at'),
              next_attempt_at: eb.ref('excluded.next_attempt_at'),
              last_error: eb.ref('excluded.last_error'),
              updated_at: new Date(),
            })),
          )
          .execute();
      }
      if (remove.length > 0) {
        await db
          .deleteFrom('certificate_attempts')
          .where('customer_id', '=', customerId)
          .where('host', 'in', remove)
          .execute();
      }
      return upsert.length + remove.length;
    },
  };
}
