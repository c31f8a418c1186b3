import { describe, expect, it } from 'vitest';
import { LOG_SINCE_MAX_SECONDS, logWindowOf, newestLines, parseTimestampedLine } from './site-logs.ts';

const now = new Date('2026-11-28T12:00:00Z');

describe('logWindowOf', () => {
  it('reads relative windows in seconds, minutes, hours and days', () => {
    expect(logWindowOf('90s', now)).toEqual({ sinceSeconds: 90 });
    expect(logWindowOf('15m', now)).toEqual({ sinceSeconds: 900 });
    expect(logWindowOf('6h', now)).toEqual({ sinceSeconds: 21_600 });
    expect(logWindowOf('2d', now)).toEqual({ sinceSeconds: 172_800 });
  });

  it('caps a window at a week', () => {
    expect(logWindowOf('30d', now)).toEqual({ sinceSeconds: LOG_SINCE_MAX_SECONDS });
    expect(logWindowOf('2020-01-01T00:00:00Z', now)).toEqual({ sinceTime: '2026-11-21T12:00:00Z' });
  });

  it('takes an RFC 3339 time to the whole second, in UTC', () => {
    expect(logWindowOf('2026-11-28T11:30:15.750Z', now)).toEqual({ sinceTime: '2026-11-28T11:30:15Z' });
    expect(logWindowOf('2026-11-28T13:30:15+02:00', now)).toEqual({ sinceTime: '2026-11-28T11:30:15Z' });
  });

  it('is the whole log without since, and null for anything else', () => {
    expect(logWindowOf(undefined, now)).toEqual({});
    for (const bad of ['0s', '15', 'm', '1w', 'yesterday', '2026-11-28', '2026-13-40T99:00:00Z', '-5m'])
      expect(logWindowOf(bad, now), bad).toBeNull();
  });
});

describe('parseTimestampedLine', () => {
  it('splits the time from the message and pads the fraction to nanoseconds', () => {
    expect(parseTimestampedLine('2026-11-28T00:41:21.12Z GET / 200')).toEqual({
      time: '2026-11-28T00:41:21.120000000Z',
      message: 'GET / 200',
    });
    expect(parseTimestampedLine('2026-11-28T00:41:21Z ')).toEqual({
      time: '2026-11-28T00:41:21.000000000Z',
      message: '',
    });
  });

  it('converts an offset to UTC and keeps a message with spaces and a CR stripped', () => {
    expect(parseTimestampedLine('2026-11-28T02:41:21.5+02:00 a  b\r')).toEqual({
      time: '2026-11-28T00:41:21.500000000Z',
      message: 'a  b',
    });
  });

  it('refuses a line without a time', () => {
    expect(parseTimestampedLine('GET / 200')).toBeNull();
  });
});

describe('newestLines', () => {
  it('orders by time across containers, stable for equal times, and keeps the newest', () => {
    const lines = [
      { time: '2026-11-28T00:00:02.000000000Z', message: 'b' },
      { time: '2026-11-28T00:00:01.000000000Z', message: 'a' },
      { time: '2026-11-28T00:00:02.000000000Z', message: 'c' },
      { time: '2026-11-28T00:00:03.000000000Z', message: 'd' },
    ];
    expect(newestLines(lines, 10).map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
    expect(newestLines(lines, 2).map((l) => l.message)).toEqual(['c', 'd']);
    expect(newestLines(lines, 0)).toEqual([]);
  });
});
