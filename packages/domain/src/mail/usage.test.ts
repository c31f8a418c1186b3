import { describe, expect, it } from 'vitest';
import { quotaPercent, quotaWarning, sumMailUsage } from './usage.ts';

describe('quotaWarning', () => {
  it.each([
    [0, 100, null],
    [79, 100, null],
    [80, 100, 'warning'],
    [94.9, 100, 'warning'],
    [95, 100, 'critical'],
    [120, 100, 'critical'],
    [50, 0, null],
  ] as const)('%d of %d bytes → %s', (bytes, limit, expected) => {
    expect(quotaWarning(bytes, limit)).toBe(expected);
  });

  it('gives the percent with one decimal, none without a limit', () => {
    expect(quotaPercent(1, 3)).toBe(33.3);
    expect(quotaPercent(1, 0)).toBeNull();
  });

  it('sums folders', () => {
    expect(
      sumMailUsage([
        { bytes: 10, messages: 1 },
        { bytes: 5, messages: 2 },
      ]),
    ).toEqual({ bytes: 15, messages: 3 });
    expect(sumMailUsage([])).toEqual({ bytes: 0, messages: 0 });
  });
});
