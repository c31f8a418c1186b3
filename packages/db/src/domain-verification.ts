import type { VerificationMethod, VerificationState, VerificationStep } from '@hostplane/domain';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/**
 * Serialises every change to names under one registrable domain (`example.com` and
 * `shop.example.com` of two customers racing), until the transaction ends. The overlap check that
 * follows then sees the other transaction's committed row (READ COMMITTED reads after the lock).
 */
export async function lockRegistrableDomain(
  trx: Transaction<PanelDatabase>,
  registrable: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`hostplane-domain:${registrable}`}, 0))`.execute(
    trx,
  );
}

/** A domain of another customer under the same registrable domain (the overlap rule of docs/dns.md). */
export async function findDomainOfOtherCustomer(
  db: Db,
  customerId: number,
  registrable: string,
): Promise<{ name: string; customer_id: number } | undefined> {
  return db
    .selectFrom('domains')
    .select(['name', 'customer_id'])
    .where('customer_id', '<>', customerId)
    .where((eb) => eb.or([eb('name', '=', registrable), eb('name', 'like', `%.${registrable}`)]))
    .orderBy('name')
    .executeTakeFirst();
}

export interface DueVerification {
  id: number;
  customerId: number;
  name: string;
  token: string;
  state: VerificationState;
  method: VerificationMethod | null;
  failures: number;
}

/**
 * Claims up to `limit` domains whose check is due (admin-marked ones are never rechecked), pushing
 * their next check `leaseSeconds` ahead so another worker does not take them meanwhile.
 */
export async function claimDueVerifications(
  db: Kysely<PanelDatabase>,
  limit: number,
  leaseSeconds = 300,
): Promise<DueVerification[]> {
  const { rows } = await sql<{
    id: number;
    customer_id: number;
    name: string;
    verification_token: string;
    verification_state: VerificationState;
    verification_method: VerificationMethod | null;
    verification_failures: number;
  }>`
    update domains set verification_next_at = now() + make_interval(secs => ${leaseSeconds})
    where id in (
      select d.id from domains d join customers c on c.id = d.customer_id
      where d.verification_next_at <= now()
        and not (d.verification_state = 'Verified' and d.verification_method = 'admin')
        and c.deleted_at is null and not c.deleting
      order by d.verification_next_at
      limit ${limit}
      for update of d skip locked)
    returning id, customer_id, name, verification_token, verification_state, verification_method,
      verification_failures`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    customerId: r.customer_id,
    name: r.name,
    token: r.verification_token,
    state: r.verification_state,
    method: r.verification_method,
    failures: r.verification_failures,
  }));
}

/**
 * Stores the result of one check, unless the domain was deleted or re-created meanwhile (token).
 * Returns whether the domain's verified-ness changed (then the caller reconciles the customer).
 */
export async function saveVerificationStep(
  trx: Transaction<PanelDatabase>,
  due: Pick<DueVerification, 'id' | 'token'>,
  step: VerificationStep,
): Promise<{ saved: boolean; changed: boolean }> {
  const before = await trx
    .selectFrom('domains')
    .select(['verification_state'])
    .where('id', '=', due.id)
    .where('verification_token', '=', due.token)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return { saved: false, changed: false };
  await trx
    .updateTable('domains')
    .set({
      verification_state: step.state,
      verification_method: step.method,
      verification_message: step.message,
      verification_failures: step.failures,
      verification_checked_at: sql`now()`,
      verification_next_at: sql`now() + make_interval(secs => ${step.nextCheckInSeconds})`,
    })
    .where('id', '=', due.id)
    .execute();
  const wasVerified = before.verification_state === 'Verified';
  return { saved: true, changed: wasVerified !== (step.state === 'Verified') };
}

/** Asks for a check of this domain now (`POST …/verify`). */
export async function requestVerificationNow(trx: Db, domainId: number): Promise<void> {
  await trx
    .updateTable('domains')
    .set({ verification_next_at: sql`now()` })
    .where('id', '=', domainId)
    .execute();
}

/** An admin's mark: verified by hand, never revoked by a check. */
export async function markVerifiedByAdmin(trx: Db, domainId: number, message: string): Promise<void> {
  await trx
    .updateTable('domains')
    .set({
      verification_state: 'Verified',
      verification_method: 'admin',
      verification_message: message,
      verification_failures: 0,
      verification_checked_at: sql`now()`,
    })
    .where('id', '=', domainId)
    .execute();
}

/** Bumps the customer's generation so the pass after a verification change reports on it. */
export async function bumpCustomerGeneration(trx: Db, customerId: number): Promise<void> {
  await trx
    .updateTable('customers')
    .set({ generation: sql`generation + 1`, updated_at: sql`now()` })
    .where('id', '=', customerId)
    .execute();
}

/**
 * Releases other customers' claims under `registrable` that were never verified within
 * `olderThanDays` (a squatter's claim must not block the real owner forever), unless a mailbox of
 * theirs still uses the name. Their aliases and records go with them. Returns what was released.
 */
export async function releaseStaleClaims(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  registrable: string,
  olderThanDays: number,
): Promise<Array<{ customerId: number; name: string }>> {
  const stale = await trx
    .selectFrom('domains as d')
    .select(['d.id', 'd.customer_id', 'd.name'])
    .where('d.customer_id', '<>', customerId)
    .where((eb) => eb.or([eb('d.name', '=', registrable), eb('d.name', 'like', `%.${registrable}`)]))
    .where('d.verification_state', '<>', 'Verified')
    .where(sql<boolean>`d.created_at < now() - make_interval(days => ${olderThanDays})`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mailboxes as m')
            .select('m.id')
            .whereRef('m.customer_id', '=', 'd.customer_id')
            .where(sql<boolean>`m.address like '%@' || d.name`),
        ),
      ),
    )
    .forUpdate()
    .execute();
  for (const row of stale) {
    await trx
      .deleteFrom('aliases')
      .where('customer_id', '=', row.customer_id)
      .where((eb) => eb.or([eb('source', 'like', `%@${row.name}`), eb('source', '=', `@${row.name}`)]))
      .execute();
    await trx.deleteFrom('domains').where('id', '=', row.id).execute();
  }
  return stale.map((r) => ({ customerId: r.customer_id, name: r.name }));
}
