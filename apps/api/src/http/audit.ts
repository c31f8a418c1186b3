import { insertAuditRow, type PanelDatabase } from '@hostplane/db';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { redactSecrets } from './redact.ts';

export interface AuditEntry {
  action: string;
  target: string;
  customerId: number | null;
  before?: unknown;
  after?: unknown;
  /** Who acted when the request has no principal yet (a sign-in). */
  actorUserId?: number;
}

/** One row per mutation, in the mutation's transaction; secrets are redacted before writing. */
export async function writeAudit(
  trx: Transaction<PanelDatabase>,
  req: FastifyRequest,
  entry: AuditEntry,
): Promise<void> {
  const json = (value: unknown) =>
    value === undefined || value === null ? null : JSON.stringify(redactSecrets(value));
  await insertAuditRow(trx, {
    actor_user_id: req.principal?.user.id ?? entry.actorUserId ?? null,
    actor_token_id: req.principal?.tokenId ?? null,
    action: entry.action,
    target: entry.target,
    customer_id: entry.customerId,
    before: json(entry.before),
    after: json(entry.after),
    request_id: req.id,
    source_ip: req.ip,
  });
}
