import type { CustomerSnapshot } from '@hostplane/domain';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runTarget } from './run-target.ts';
import type { Target } from './target.ts';

// A target that never ends and never looks at its signal: what a stuck provisioner looks like.
const stuck: Target = { name: 'DNS', run: () => new Promise(() => undefined) };
const options = (signal: AbortSignal) => ({
  signal,
  pass: 'full' as const,
  timeoutMs: 60_000,
  log: pino({ level: 'silent' }),
  metrics: undefined,
});
const snapshot = { id: 1 } as CustomerSnapshot;

describe('runTarget', () => {
  it('ends a target that ignores its signal as soon as the pass is aborted (shutdown)', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const running = runTarget(stuck, snapshot, options(controller.signal));
    setTimeout(() => controller.abort(new Error('worker stopping')), 20);
    const result = await running;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ target: 'DNS', ok: false });
    expect(!result.ok && result.error).toMatch(/DNS target aborted: Error: worker stopping/);
  });

  it('does not wait for a target whose pass was aborted before it started', async () => {
    const result = await runTarget(stuck, snapshot, options(AbortSignal.abort(new Error('stopped'))));
    expect(result).toMatchObject({ target: 'DNS', ok: false });
  });
});
