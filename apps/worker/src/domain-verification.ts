// The worker's ownership checks (README "Domain verification"): every minute, and at once when the
// API asks (POST …/verify), the domains whose check is due are looked up through the recursive
// resolver, judged by the pure rules of @hostplane/domain, and stored. A domain that becomes (or
// stops being) verified bumps its customer's generation and enqueues a reconcile in the same
// transaction, so mail rows and routed hosts follow.
import {
  bumpCustomerGeneration,
  claimDueVerifications,
  type DueVerification,
  type PanelDatabase,
  saveVerificationStep,
} from '@hostplane/db';
import {
  judgeOwnership,
  nextVerification,
  type OwnershipLookup,
  type VerificationPolicy,
} from '@hostplane/domain';
import { enqueueReconcile } from '@hostplane/reconcile';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export interface DomainVerifierDeps {
  db: Kysely<PanelDatabase>;
  lookup: OwnershipLookup;
  /** The platform's name servers: an NS set made of these is proof. */
  nameservers: readonly string[];
  policy: VerificationPolicy;
  logger: Logger;
  /** Domains checked per run; default 50. */
  batch?: number;
}

async function checkOne(deps: DomainVerifierDeps, due: DueVerification, signal?: AbortSignal) {
  const observation = await deps.lookup.observe(due.name, signal);
  const judgement = judgeOwnership(due.name, due.token, deps.nameservers, observation);
  const step = nextVerification(
    { state: due.state, method: due.method, message: '', failures: due.failures },
    judgement,
    deps.policy,
  );
  const result = await deps.db.transaction().execute(async (trx) => {
    const saved = await saveVerificationStep(trx, due, step);
    if (saved.changed) {
      await bumpCustomerGeneration(trx, due.customerId);
      await enqueueReconcile(trx, due.customerId);
    }
    return saved;
  });
  deps.logger.info(
    {
      op: 'verify',
      domain: due.name,
      customerId: due.customerId,
      state: step.state,
      method: step.method,
      changed: result.changed,
    },
    step.message,
  );
}

/**
 * One run: claims due domains batch by batch (at most `maxBatches`) and checks them; one failing
 * domain does not stop the others. Returns how many were checked.
 */
export async function verifyDueDomains(
  deps: DomainVerifierDeps,
  signal?: AbortSignal,
  maxBatches = 20,
): Promise<number> {
  const size = deps.batch ?? 50;
  let checked = 0;
  for (let batch = 0; batch < maxBatches && !signal?.aborted; batch++) {
    const due = await claimDueVerifications(deps.db, size);
    for (const domain of due) {
      if (signal?.aborted) break;
      try {
        await checkOne(deps, domain, signal);
      } catch (err) {
        deps.logger.error({ op: 'verify', domain: domain.name, err }, 'ownership check failed');
      }
    }
    checked += due.length;
    if (due.length < size) break;
  }
  return checked;
}
