import { ATTEMPT_ANNOTATION, desiredJobObjects, RETRY_OF_ANNOTATION } from '@hostplane/domain';
import type { LiveObject } from '@hostplane/provisioner-k8s';
import { describe, expect, it } from 'vitest';
import { backupOutcome } from './outcome.ts';
import { planJobStatuses } from './status.ts';
import { live, row, settings } from './test-support/status-objects.ts';

const backup = (
  name: string,
  phase: string,
  retryOf?: string,
  labels: Record<string, string> = {},
): LiveObject =>
  live(
    'Backup',
    name,
    { phase, startTimestamp: '2026-11-28T07:00:00Z', completionTimestamp: '2026-11-28T07:01:00Z' },
    labels,
    retryOf ? { [RETRY_OF_ANNOTATION]: retryOf, [ATTEMPT_ANNOTATION]: '2' } : undefined,
  );

describe('a backup made again after its volume part failed', () => {
  const observed = {
    backups: [backup('cust-1001-a', 'PartiallyFailed'), backup('cust-1001-a-r2', 'Completed', 'cust-1001-a')],
    restores: [],
    volumeBytes: new Map([['cust-1001-a-r2', 1234]]),
  };

  it('its row follows the newest attempt: Completed, that attempt’s bytes, the attempt named', () => {
    const [update] = planJobStatuses(1001, [row({ phase: 'PartiallyFailed' })], observed, 'cust-1001-daily');
    expect(update).toMatchObject({ name: 'cust-1001-a', phase: 'Completed', message: 'attempt 2' });
    expect(update?.stats?.volumeBytes).toBe(1234);
  });

  it('a retry of a scheduled backup gets no row of its own', () => {
    const scheduled = {
      backups: [
        backup('cust-1001-daily-1', 'PartiallyFailed', undefined, {
          'velero.io/schedule-name': 'cust-1001-daily',
        }),
        backup('cust-1001-daily-1-r2', 'InProgress', 'cust-1001-daily-1'),
      ],
      restores: [],
    };
    expect(planJobStatuses(1001, [], scheduled, 'cust-1001-daily').map((s) => [s.name, s.phase])).toEqual([
      ['cust-1001-daily-1', 'InProgress'],
    ]);
  });

  it('a restore of it reads the attempt that holds the data', () => {
    const restore = row({ kind: 'restore', name: 'cust-1001-r', backupName: 'cust-1001-a' });
    const [object] = desiredJobObjects(1001, [restore], 3, settings, (name) =>
      name === 'cust-1001-a' ? 'cust-1001-a-r2' : name,
    );
    expect((object?.spec as { backupName?: string } | undefined)?.backupName).toBe('cust-1001-a-r2');
  });

  it('the condition names the failed volume part while the retry waits, and asks to come back', () => {
    const outcome = backupOutcome({
      schedule: {
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: { name: 's', labels: {} },
        spec: { schedule: '0 3 * * *', template: { ttl: '72h0m0s' } },
      },
      rows: [row({ phase: 'PartiallyFailed' })],
      statuses: [],
      failures: [
        {
          part: 'volume',
          message: 'backup cust-1001-a attempt 1 PartiallyFailed: pod volume web-0/data: canceled',
        },
      ],
      changes: 0,
      retryPending: true,
    });
    expect(outcome).toMatchObject({ status: 'False', reason: 'VolumePartFailed', requeue: true });
  });

  it('comes back soon once the retry is made: the new attempt runs, its progress must reach the row', () => {
    // The pass that makes attempt 2 still names attempt 1's failed volume part (the condition says
    // "attempt 2 started"), and nothing is pending any more; the row follows the running attempt 2.
    // Without a requeue the row and the condition stayed stale until the resync (minutes).
    const made = backup('cust-1001-a-r2', '', 'cust-1001-a');
    delete made.status; // as the apply returns it: Velero has not picked it up yet
    const justMade = { backups: [backup('cust-1001-a', 'PartiallyFailed'), made], restores: [] };
    const outcome = backupOutcome({
      schedule: {
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: { name: 's', labels: {} },
        spec: { schedule: '0 3 * * *', template: { ttl: '72h0m0s' } },
      },
      rows: [row({ phase: 'PartiallyFailed' })],
      statuses: planJobStatuses(1001, [row({ phase: 'PartiallyFailed' })], justMade, 'cust-1001-daily'),
      failures: [
        {
          part: 'volume',
          message:
            'backup cust-1001-a attempt 1 PartiallyFailed: pod volume web-0/data: canceled; attempt 2 started',
        },
      ],
      changes: 1,
      retryPending: false,
    });
    expect(outcome).toMatchObject({ status: 'False', reason: 'VolumePartFailed', requeue: true });
  });
});
