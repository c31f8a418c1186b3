import { describe, expect, it } from 'vitest';
import { releasedVolumesToReclaim, type VolumeFacts } from './volume-retention.ts';

const now = new Date('2026-11-27T12:00:00Z');
const days = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
const pv = (name: string, extra: Partial<VolumeFacts> = {}): VolumeFacts => ({
  name,
  phase: 'Released',
  reclaimPolicy: 'Retain',
  claimNamespace: 'cust-1001',
  releasedAt: days(8),
  ...extra,
});

describe('releasedVolumesToReclaim', () => {
  it('reclaims tenant volumes released longer than the retention period, nothing else', () => {
    const volumes = [
      pv('old'),
      pv('young', { releasedAt: days(6) }),
      pv('exactly', { releasedAt: days(7) }),
      pv('bound', { phase: 'Bound' }),
      pv('system', { claimNamespace: 'panel-system' }),
      pv('already-delete', { reclaimPolicy: 'Delete' }),
      pv('unknown-time', { releasedAt: undefined }),
    ];
    expect(releasedVolumesToReclaim(volumes, now, 7)).toEqual(['exactly', 'old']);
  });
});
