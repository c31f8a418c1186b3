// Turning one pass's per-target results into condition rows (pure), and writing them.

import type { ConditionType } from '@hostplane/domain';
import type { PanelDb } from './db.ts';
import type { TargetOutcome } from './target.ts';

/** What happened to one target during a pass: its outcome, or the error it threw (errors as data). */
export type TargetResult =
  | { target: ConditionType; ok: true; outcome: TargetOutcome; ms: number }
  | { target: ConditionType; ok: false; error: string; ms: number };

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

/** Reason of a condition whose target threw. */
export const FAILED_REASON = 'ReconcileFailed';
const maxMessageLength = 1_000;

/** Removes passwords from connection strings and bearer/API keys an error message may quote. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\w+:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@')
    .replace(/(bearer\s+|x-api-key[:=]\s*|api[_-]?key[:=]\s*|password[:=]\s*)\S+/gi, '$1***');
}

function clip(text: string): string {
  return text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text;
}

/**
 * The condition a target's result leads to. lastTransitionTime moves only when the status changes;
 * attempts counts consecutive thrown passes; nextAttemptAt is filled in by the engine once it knows
 * when the next pass is scheduled.
 */
export function nextCondition(
  customerId: number,
  generation: number,
  result: TargetResult,
  previous: PreviousCondition | undefined,
  now: Date,
): ConditionRow {
  const status = result.ok ? result.outcome.status : 'False';
  const lastTransitionTime = previous && previous.status === status ? previous.lastTransitionTime : now;
  const base = {
    customerId,
    type: result.target,
    status,
    observedGeneration: generation,
    lastTransitionTime,
  };
  if (result.ok) {
    const { reason, message } = result.outcome;
    return { ...base, reason, message: clip(message), lastError: null, attempts: 0, nextAttemptAt: null };
  }
  const error = clip(redactSecrets(result.error));
  return {
    ...base,
    reason: FAILED_REASON,
    message: clip(`${result.target} pass failed: ${error}`),
    lastError: error,
    attempts: (previous?.attempts ?? 0) + 1,
    nextAttemptAt: null,
  };
}

export async function readPreviousConditions(
  db: PanelDb,
  customerId: number,
): Promise<Map<ConditionType, PreviousCondition>> {
  const rows = await db
    .selectFrom('customer_conditions')
    .select(['type', 'status', 'last_transition_time', 'attempts'])
    .where('customer_id', '=', customerId)
    .execute();
  return new Map(
    rows.map((r) => [
      r.type as ConditionType,
      {
        status: r.status,
        lastTransitionTime: new Date(r.last_transition_time),
        attempts: Number(r.attempts),
      },
    ]),
  );
}

export async function writeConditions(db: PanelDb, rows: readonly ConditionRow[], now: Date): Promise<void> {
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
}
