import { type CustomerRecord, lockCustomer, type PanelDatabase } from '@hostplane/db';
import { enqueueReconcile } from '@hostplane/reconcile';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { type AuditEntry, writeAudit } from './audit.ts';
import { claimIdempotencyKey, storeIdempotentAnswer } from './idempotency.ts';

export interface MutationResult<T> {
  body: T;
  audit: Omit<AuditEntry, 'customerId'> & { customerId?: number | null };
  /** Customer to reconcile when it was not known up front (customer create). */
  customerId?: number;
}

export interface MutationSpec<T> {
  /** 201 for creates, 200 for updates, 202 for asynchronous work, 204 for deletes. */
  status: number;
  /**
   * The customer whose desired state changes: its row is locked and its generation bumped first
   * (serialising concurrent mutations, so plan limits hold), and a reconcile is enqueued.
   */
  customerId?: number;
  /** A deleting customer accepts no changes, except those that allow it (DELETE again). */
  allowDeleting?: boolean;
  /** False for requests that change no desired state (a resync): lock the row, keep the generation. */
  bumpGeneration?: boolean;
  /** False where the answer holds a secret that must not be stored for replay (a new API token). */
  idempotent?: boolean;
  /** The pass reads everything each target owns (an admin's "reconcile now" repairs drift). */
  fullPass?: boolean;
  run(trx: Transaction<PanelDatabase>, customer: CustomerRecord | null): Promise<MutationResult<T>>;
}

/** Locks the customer row and bumps its generation; 404 for unknown or gone customers. */
export async function bumpCustomer(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  allowDeleting = false,
  bump = true,
): Promise<CustomerRecord> {
  const row = await lockCustomer(trx, customerId, bump);
  if (!row) throw new NotFoundError(`customer ${customerId}`);
  if (row.deleting && !allowDeleting)
    throw new ConflictError(`customer ${customerId} is being deleted`, 'customer-deleting');
  return row;
}

/**
 * Every mutation of the API goes through here, in ONE transaction: idempotency claim, customer
 * lock + generation bump, the rows, the audit row, the reconcile job (transactional outbox) and
 * the stored idempotent answer. Any error rolls all of it back: nothing written, nothing enqueued.
 */
export async function mutate<T>(
  db: Kysely<PanelDatabase>,
  req: FastifyRequest,
  reply: FastifyReply,
  spec: MutationSpec<T>,
): Promise<T | undefined> {
  const outcome = await db.transaction().execute(async (trx) => {
    const claim = spec.idempotent === false ? null : await claimIdempotencyKey(trx, req);
    if (claim?.kind === 'replay') return { replay: true as const, status: claim.status, body: claim.body };
    const customer =
      spec.customerId === undefined
        ? null
        : await bumpCustomer(trx, spec.customerId, spec.allowDeleting, spec.bumpGeneration ?? true);
    // A suspended customer's own users can read but not change anything; admins still can.
    if (customer?.suspended && req.principal?.user.role !== 'admin') {
      throw new ForbiddenError(`customer ${customer.id} is suspended`);
    }
    const result = await spec.run(trx, customer);
    const customerId = result.customerId ?? spec.customerId ?? null;
    await writeAudit(trx, req, { ...result.audit, customerId: result.audit.customerId ?? customerId });
    if (customerId !== null) await enqueueReconcile(trx, customerId, { full: spec.fullPass === true });
    if (claim?.kind === 'claimed')
      await storeIdempotentAnswer(trx, claim.claim, spec.status, result.body, req.server.secretKey);
    return { replay: false as const, status: spec.status, body: result.body };
  });
  reply.code(outcome.status);
  if (outcome.replay) reply.header('idempotent-replayed', 'true');
  return outcome.body as T | undefined;
}
