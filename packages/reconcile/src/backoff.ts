// Retry delays for failed reconcile passes: exponential backoff with "full jitter"
// (delay drawn uniformly from [0, ceiling)), so many customers failing at once against the same
// broken system spread their retries instead of hammering it in waves. Retries never end: the
// ceiling stops growing at the cap and the periodic resync is not needed to recover.

export interface BackoffPolicy {
  /** Ceiling of the first retry, ms. */
  baseMs: number;
  /** Largest ceiling, ms. */
  capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000 };

/** Ceiling of the delay after `attempts` consecutive failures (attempts ≥ 1): base·2^(attempts−1), capped. */
export function backoffCeilingMs(attempts: number, policy: BackoffPolicy = defaultBackoff): number {
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new Error(`backoff: attempts must be ≥ 1, got ${attempts}`);
  // 2^40 is far past any cap; bounding the exponent keeps the arithmetic finite for huge attempt counts.
  const exponent = Math.min(attempts - 1, 40);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * Delay before the next attempt. `random` returns a value in [0, 1) (Math.random in production,
 * a fixed value in tests). Never below 1 ms so a retry is always strictly in the future.
 */
export function retryDelayMs(
  attempts: number,
  random: () => number,
  policy: BackoffPolicy = defaultBackoff,
): number {
  const r = random();
  if (!(r >= 0 && r <= 1)) throw new Error(`backoff: random() must be in [0, 1], got ${r}`);
  return Math.max(1, Math.floor(r * backoffCeilingMs(attempts, policy)));
}
