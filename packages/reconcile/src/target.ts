import type { ConditionType, CustomerSnapshot } from '@hostplane/domain';

/** What a target reports after a pass; it becomes the customer's condition of that type. */
export interface TargetOutcome {
  status: 'True' | 'False' | 'Unknown';
  /** CamelCase reason, e.g. Ready, AwaitingDNS, QuotaExceeded, Unavailable. */
  reason: string;
  /** Human message; never holds a secret. */
  message: string;
  /** Changes sent during this pass (0 on a converged customer). */
  changes: number;
  /** True when the target needs another pass soon (e.g. waiting for pods or a namespace to go). */
  requeue?: boolean;
  /**
   * A pass wanted later, not soon (ms from now): e.g. the end of an ACME attempt window or the next
   * attempt of a host backing off. The earliest of all targets' wins; `requeue` and retries win over it.
   */
  requeueAfterMs?: number;
}

export interface PassContext {
  signal: AbortSignal;
  /**
   * Why the pass runs. `change`: a mutation asked for it, so a target may limit its reads to what
   * the change touches (the DNS target reads only zones whose desired state moved). `full` (also
   * when absent): the periodic resync or a retry after a failure; every target reads everything it
   * owns, so drift made behind the panel's back is repaired.
   */
  pass?: 'change' | 'full';
  /** pino-compatible child logger with customerId and target bound. */
  log: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
    debug(obj: object, msg?: string): void;
  };
}

/**
 * One external system converged for one customer: desired (pure) → observe → plan (pure) → apply.
 * `run` is what the engine calls; implementations usually compose their own pure `desired` and
 * `plan` functions with `observe` and `apply` adapters (STYLE.md "How a Hostplane room looks").
 * When `snapshot.deleting` is true the target removes everything it owns for the customer and
 * reports status True with reason Deleted once nothing is left.
 * A thrown error is a failed pass: the engine records it on the condition and retries with backoff.
 */
export interface Target {
  name: ConditionType;
  run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome>;
}
