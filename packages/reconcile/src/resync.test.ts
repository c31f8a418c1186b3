import { describe, expect, it } from 'vitest';
import { RESYNC_CRONTAB, resyncSlotOfCustomer, resyncSlotOfMinute } from './resync.ts';

const minute = 60_000;

function customersDueAt(at: Date, ids: number[], period: number): number[] {
  const slot = resyncSlotOfMinute(at, period);
  return ids.filter((id) => resyncSlotOfCustomer(id, period) === slot);
}

describe('resync slots', () => {
  const ids = Array.from({ length: 1_000 }, (_, i) => 1001 + i);

  it('spreads 1,000 consecutive customers evenly over a 10-minute period', () => {
    const start = new Date(Date.UTC(2026, 10, 26, 7, 3, 0));
    const perMinute: number[] = [];
    for (let m = 0; m < 10; m++)
      perMinute.push(customersDueAt(new Date(start.getTime() + m * minute), ids, 10).length);
    expect(perMinute).toEqual(Array(10).fill(100));
  });

  it('resyncs every customer exactly once per period, whatever minute the period starts', () => {
    for (const period of [1, 7, 10, 60]) {
      const start = new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + 13 * minute);
      const seen = new Map<number, number>();
      for (let m = 0; m < period; m++) {
        for (const id of customersDueAt(new Date(start.getTime() + m * minute), ids, period)) {
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      }
      expect(seen.size).toBe(ids.length);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
    }
  });

  it('keeps per-minute load within one customer of the mean for an uneven count', () => {
    const some = ids.slice(0, 997);
    const counts = Array.from(
      { length: 10 },
      (_, m) => customersDueAt(new Date(m * minute), some, 10).length,
    );
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(997);
  });

  it('gives the same slot to any instant within one minute', () => {
    const t = Date.UTC(2026, 10, 26, 7, 3, 0);
    expect(resyncSlotOfMinute(new Date(t), 10)).toBe(resyncSlotOfMinute(new Date(t + 59_999), 10));
    expect(resyncSlotOfMinute(new Date(t + minute), 10)).toBe((resyncSlotOfMinute(new Date(t), 10) + 1) % 10);
  });

  it('rejects a period that is not a whole number of minutes', () => {
    expect(() => resyncSlotOfCustomer(1001, 0)).toThrow(/period/);
    expect(() => resyncSlotOfMinute(new Date(), 2.5)).toThrow(/period/);
  });

  it('runs the resync task every minute', () => {
    expect(RESYNC_CRONTAB).toBe('* * * * * hostplane_resync');
  });
});
