// Turning one pass's per-target results into condition rows (pure), and writing them.

import type { ConditionRow, PreviousCondition } from '@hostplane/db';
import type { ConditionType } from '@hostplane/domain';
import type { TargetOutcome } from './target.ts';

/** What happened to one target during a pass: its outcome, or the error it threw (errors as data). */
export type TargetResult =
  | { target: ConditionType; ok: true; outcome: TargetOutcome; ms: number }
  | { target: ConditionType; ok: false; error: string; ms: number };

export type { ConditionRow, PreviousCondition };

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
