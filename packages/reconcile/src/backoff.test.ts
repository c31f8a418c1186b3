import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, defaultBackoff, retryDelayMs } from './backoff.ts';

describe('backoffCeilingMs', () => {
  it.each([
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [7, 128_000],
    [8, 256_000],
    [9, 300_000],
    [50, 300_000],
    [10_000, 300_000],
  ])('after %i failures the ceiling is %i ms', (attempts, expected) => {
    expect(backoffCeilingMs(attempts, defaultBackoff)).toBe(expected);
  });

  it('never decreases and stops at the cap', () => {
    let previous = 0;
    for (let attempts = 1; attempts <= 100; attempts++) {
      const ceiling = backoffCeilingMs(attempts);
      expect(ceiling).toBeGreaterThanOrEqual(previous);
      expect(ceiling).toBeLessThanOrEqual(defaultBackoff.capMs);
      previous = ceiling;
    }
    expect(previous).toBe(defaultBackoff.capMs);
  });

  it('rejects attempts below 1', () => {
    expect(() => backoffCeilingMs(0)).toThrow(/attempts/);
    expect(() => backoffCeilingMs(1.5)).toThrow(/attempts/);
  });
});

describe('retryDelayMs (full jitter)', () => {
  it('spans [1 ms, ceiling) with the random value', () => {
    expect(retryDelayMs(3, () => 0)).toBe(1);
    expect(retryDelayMs(3, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(3, () => 0.999_999)).toBe(7_999);
    expect(retryDelayMs(20, () => 0.5)).toBe(150_000);
  });

  it('uses the given policy', () => {
    expect(retryDelayMs(4, () => 1, { baseMs: 100, capMs: 500 })).toBe(500);
    expect(retryDelayMs(2, () => 1, { baseMs: 100, capMs: 500 })).toBe(200);
  });

  it('stays within bounds for many random draws', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempts = 1; attempts <= 30; attempts++) {
      const delay = retryDelayMs(attempts, random);
      expect(delay).toBeGreaterThanOrEqual(1);
      expect(delay).toBeLessThanOrEqual(backoffCeilingMs(attempts));
    }
  });

  it('rejects a random source outside [0, 1]', () => {
    expect(() => retryDelayMs(1, () => 2)).toThrow(/random/);
    expect(() => retryDelayMs(1, () => Number.NaN)).toThrow(/random/);
  });
});
