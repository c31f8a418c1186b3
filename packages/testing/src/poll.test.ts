import { describe, expect, it } from 'vitest';
import { readUntil, waitFor } from './poll.ts';

describe('waitFor', () => {
  it('returns the first value that is not undefined or false', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => (++calls >= 3 ? { calls } : calls === 1 ? undefined : false),
      {
        intervalMs: 1,
      },
    );
    expect(value).toEqual({ calls: 3 });
  });

  it('names what it waited for and the last error when the deadline passes', async () => {
    await expect(
      waitFor(
        'the moon',
        () => {
          throw new Error('still cheese');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for the moon: still cheese/);
  });

  it('stops at once when its signal is aborted', async () => {
    const stop = new AbortController();
    stop.abort(new Error('child exited 1'));
    await expect(waitFor('never', () => undefined, { signal: stop.signal })).rejects.toThrow(
      'child exited 1',
    );
  });
});

describe('readUntil', () => {
  it('returns the last value read, done or not', async () => {
    let n = 0;
    expect(
      await readUntil(
        async () => ++n,
        (v) => v === 2,
        { intervalMs: 1 },
      ),
    ).toBe(2);
    expect(
      await readUntil(
        async () => 'same',
        (v) => v === 'other',
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).toBe('same');
  });
});
