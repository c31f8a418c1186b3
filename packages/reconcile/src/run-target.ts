// Runs one target with a time limit and turns whatever happens into data (errors as data).
import type { CustomerSnapshot } from '@hostplane/domain';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TargetResult } from './conditions.ts';
import type { ReconcileMetrics } from './metrics.ts';
import type { Target, TargetOutcome } from './target.ts';

// Targets are our own code, but what they return is written to the database and shown to customers.
const outcomeSchema = z.object({
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'reason must be CamelCase'),
  message: z.string(),
  changes: z.number().int().nonnegative(),
  requeue: z.boolean().optional(),
  requeueAfterMs: z.number().int().nonnegative().optional(),
});

export interface RunTargetOptions {
  signal: AbortSignal;
  pass: 'change' | 'full';
  timeoutMs: number;
  log: Logger;
  metrics: ReconcileMetrics | undefined;
}

function describeError(err: unknown): string {
  if (err instanceof z.ZodError) return `invalid outcome: ${z.prettifyError(err)}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export async function runTarget(
  target: Target,
  snapshot: CustomerSnapshot,
  opts: RunTargetOptions,
): Promise<TargetResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timeout]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${target.name} target did not finish within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
  });
  // A shutdown (the caller's signal) ends the target's part of the pass too, at once.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`${target.name} target aborted: ${String(opts.signal.reason)}`));
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
  let result: TargetResult;
  try {
    // The race ends the pass even when a target ignores its abort signal (timeout or shutdown).
    const raw = await Promise.race([
      target.run(snapshot, { signal, pass: opts.pass, log: opts.log }),
      timedOut,
      aborted,
    ]);
    const outcome: TargetOutcome = outcomeSchema.parse(raw);
    result = { target: target.name, ok: true, outcome, ms: Math.round(performance.now() - started) };
  } catch (err) {
    result = {
      target: target.name,
      ok: false,
      error: describeError(err),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal.removeEventListener('abort', onAbort);
  }
  opts.metrics?.targetDuration.observe({ target: target.name }, result.ms / 1000);
  opts.metrics?.targetOutcomes.inc({
    target: target.name,
    outcome: result.ok ? result.outcome.status : 'Error',
  });
  if (result.ok) {
    opts.log.debug(
      {
        status: result.outcome.status,
        reason: result.outcome.reason,
        changes: result.outcome.changes,
        ms: result.ms,
      },
      'target done',
    );
  } else {
    opts.log.warn({ err: result.error, ms: result.ms }, 'target failed');
  }
  return result;
}
