import { desiredBackup, desiredSchedule } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { backupOutcome, deletedOutcome } from './outcome.ts';
import { liveJobStatus, planBackupChanges, planJobStatuses, podVolumeBytes } from './status.ts';
import { live, row, settings } from './test-support/status-objects.ts';

const none = { backups: [], restores: [] };

describe('liveJobStatus', () => {
  it('reads phase and timestamps, normalised to ISO with milliseconds', () => {
    const status = {
      phase: 'Completed',
      startTimestamp: '2026-11-26T02:41:00Z',
      completionTimestamp: '2026-11-26T02:43:10Z',
    };
    expect(liveJobStatus('backup', 'x', live('Backup', 'x', status))).toEqual({
      kind: 'backup',
      name: 'x',
      phase: 'Completed',
      message: null,
      startedAt: '2026-11-26T02:41:00.000Z',
      completedAt: '2026-11-26T02:43:10.000Z',
      stats: { itemsBackedUp: 0, totalItems: 0, volumeBytes: 0, warnings: 0, errors: 0 },
    });
  });

  it('a finished backup carries items (status.progress), warnings, errors and its pod volume bytes', () => {
    const status = {
      phase: 'PartiallyFailed',
      errors: 1,
      warnings: 3,
      progress: { itemsBackedUp: 41, totalItems: 42 },
    };
    const pvbs = [
      live('PodVolumeBackup', 'a', { progress: { bytesDone: 1_048_576, totalBytes: 1_048_576 } }),
      live('PodVolumeBackup', 'b', { progress: { bytesDone: 28 } }),
    ];
    expect(liveJobStatus('backup', 'x', live('Backup', 'x', status), podVolumeBytes(pvbs)).stats).toEqual({
      itemsBackedUp: 41,
      totalItems: 42,
      volumeBytes: 1_048_604,
      warnings: 3,
      errors: 1,
    });
    // Not before Velero has finished, and never on restores.
    expect(liveJobStatus('backup', 'x', live('Backup', 'x', { phase: 'InProgress' })).stats).toBeUndefined();
    expect(liveJobStatus('restore', 'x', live('Restore', 'x', status)).stats).toBeUndefined();
  });

  it.each([
    [undefined, 'New', null],
    [{ phase: 'Failed', failureReason: 'bucket unreachable' }, 'Failed', 'bucket unreachable'],
    [{ phase: 'FailedValidation', validationErrors: ['a', 'b'] }, 'FailedValidation', 'a; b'],
    [{ phase: 'PartiallyFailed', errors: 2 }, 'PartiallyFailed', '2 error(s), 0 warning(s)'],
  ])('status %j → %s / %s', (status, phase, message) => {
    expect(liveJobStatus('backup', 'x', live('Backup', 'x', status))).toMatchObject({ phase, message });
  });
});

describe('planJobStatuses', () => {
  const done = {
    phase: 'Completed',
    startTimestamp: '2026-11-26T02:41:00Z',
    completionTimestamp: '2026-11-26T02:43:00Z',
  };

  it('copies a new phase onto the row, then nothing once the row says it', () => {
    const observed = { backups: [live('Backup', 'cust-1001-a', done)], restores: [] };
    const [update] = planJobStatuses(1001, [row({})], observed, 'cust-1001-daily');
    expect(update).toMatchObject({ name: 'cust-1001-a', phase: 'Completed' });
    expect(planJobStatuses(1001, [row({ ...update })], observed, 'cust-1001-daily')).toEqual([]);
  });

  it('a seen object that is gone (TTL) turns the row Deleted; an unseen row waits', () => {
    const rows = [row({ phase: 'Completed' }), row({ name: 'cust-1001-b' })];
    expect(planJobStatuses(1001, rows, none, 'cust-1001-daily')).toEqual([
      expect.objectContaining({ name: 'cust-1001-a', phase: 'Deleted' }),
    ]);
  });

  it('adds backups made by the customer schedule, not by another one', () => {
    const observed = {
      backups: [
        live('Backup', 'cust-1001-daily-20261126024100', done, {
          'velero.io/schedule-name': 'cust-1001-daily',
        }),
        live('Backup', 'other', done, { 'velero.io/schedule-name': 'someone-else' }),
      ],
      restores: [],
    };
    expect(planJobStatuses(1001, [], observed, 'cust-1001-daily').map((s) => s.name)).toEqual([
      'cust-1001-daily-20261126024100',
    ]);
  });

  it('restores follow their own object', () => {
    const rows = [row({ kind: 'restore', name: 'cust-1001-r', backupName: 'cust-1001-a' })];
    const observed = { backups: [], restores: [live('Restore', 'cust-1001-r', { phase: 'InProgress' })] };
    expect(planJobStatuses(1001, rows, observed, 's')).toEqual([
      expect.objectContaining({ kind: 'restore', phase: 'InProgress' }),
    ]);
  });
});

describe('planBackupChanges', () => {
  const schedule = desiredSchedule(1001, 7, settings);
  const backup = desiredBackup(1001, row({}), 7, settings);

  it('applies a missing schedule and creates missing backups', () => {
    const plan = planBackupChanges({ schedule, jobs: [backup] }, { schedules: [], ...none });
    expect(plan.apply).toEqual([schedule, backup]);
  });

  it('never re-applies a Backup that exists (Velero owns it from then on)', () => {
    const plan = planBackupChanges(
      { schedule: null, jobs: [backup] },
      { schedules: [], backups: [live('Backup', 'cust-1001-a', { phase: 'InProgress' })], restores: [] },
    );
    expect(plan.apply).toEqual([]);
  });

  it('schedules no longer desired are deleted', () => {
    const old = live('Schedule', 'cust-1001-weekly');
    expect(
      planBackupChanges({ schedule: null, jobs: [] }, { schedules: [old], ...none }).deleteSchedules,
    ).toEqual([old]);
  });
});

describe('outcomes', () => {
  const schedule = desiredSchedule(1001, 7, settings);
  it('True and requeue while a backup runs', () => {
    const outcome = backupOutcome({
      schedule,
      rows: [row({ phase: 'InProgress' })],
      statuses: [],
      failures: [],
      changes: 0,
    });
    expect(outcome).toMatchObject({ status: 'True', reason: 'InProgress', requeue: true });
  });
  it('False when the latest finished backup failed', () => {
    const rows = [
      row({ phase: 'Completed', startedAt: '2026-11-25T02:00:00.000Z' }),
      row({
        name: 'cust-1001-b',
        phase: 'Failed',
        message: 'no bucket',
        startedAt: '2026-11-26T02:00:00.000Z',
      }),
    ];
    expect(backupOutcome({ schedule, rows, statuses: [], failures: [], changes: 0 })).toMatchObject({
      status: 'False',
      reason: 'BackupFailed',
      message: 'backup cust-1001-b Failed: no bucket',
    });
  });
  it('False naming the object when a write failed', () => {
    expect(
      backupOutcome({
        schedule,
        rows: [],
        statuses: [],
        failures: [{ part: 'apply', message: 'Schedule/x: denied' }],
        changes: 0,
      }),
    ).toMatchObject({
      status: 'False',
      reason: 'ApplyFailed',
    });
  });
  it.each([
    ['mail', 'MailPartFailed'],
    ['dns', 'DnsPartFailed'],
  ] as const)('False with the reason when the %s part of a backup failed', (part, reason) => {
    const message = `backup b: ${part} not exported: S3 said NoSuchBucket`;
    expect(
      backupOutcome({
        schedule,
        rows: [row({ phase: 'Completed' })],
        statuses: [],
        failures: [{ part, message }],
        changes: 0,
      }),
    ).toEqual({ status: 'False', reason, message, changes: 0 });
  });
  it('deleted keeps the backups', () => {
    expect(deletedOutcome([live('Backup', 'a')], 1)).toMatchObject({
      status: 'True',
      reason: 'Deleted',
      changes: 1,
    });
  });
});
