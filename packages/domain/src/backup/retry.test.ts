import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_ANNOTATION,
  backupAttempts,
  currentAttempt,
  desiredRetryBackup,
  plannedRetries,
  RETRY_OF_ANNOTATION,
  retryBackupName,
} from './retry.ts';

const NOW = Date.parse('2026-11-28T07:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function backup(name: string, phase: string, endedSecondsAgo: number, attemptOf?: [string, number]) {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: 'backup-system',
      labels: { 'hostplane.io/customer': '7', 'velero.io/schedule-name': 'cust-7-daily' },
      ...(attemptOf
        ? { annotations: { [RETRY_OF_ANNOTATION]: attemptOf[0], [ATTEMPT_ANNOTATION]: String(attemptOf[1]) } }
        : {}),
    },
    spec: { includedNamespaces: ['cust-7'], ttl: '72h0m0s' },
    status: { phase, completionTimestamp: ago(endedSecondsAgo) },
  };
}

describe('retries of a failed backup', () => {
  it('a retry copies the first attempt’s spec and tenant labels, not Velero’s, under the attempt’s name', () => {
    const first = backup('cust-7-a', 'PartiallyFailed', 60);
    const retry = desiredRetryBackup(first, 2);
    expect(retry.metadata).toEqual({
      name: 'cust-7-a-r2',
      namespace: 'backup-system',
      labels: { 'hostplane.io/customer': '7' },
      annotations: { [RETRY_OF_ANNOTATION]: 'cust-7-a', [ATTEMPT_ANNOTATION]: '2' },
    });
    expect(retry.spec).toEqual(first.spec);
    expect(() => retryBackupName('x', 1)).toThrow();
  });

  it('the backup is its newest attempt', () => {
    const attempts = backupAttempts([
      backup('cust-7-a-r2', 'Completed', 5, ['cust-7-a', 2]),
      backup('cust-7-a', 'PartiallyFailed', 60),
      backup('cust-7-b', 'Completed', 60),
    ]);
    expect(currentAttempt(attempts, 'cust-7-a')?.object.metadata.name).toBe('cust-7-a-r2');
    expect(currentAttempt(attempts, 'cust-7-b')?.attempt).toBe(1);
    expect(plannedRetries(attempts, { now: NOW })).toEqual([]);
  });

  it('a recent PartiallyFailed or Failed attempt is retried after the delay, up to three attempts', () => {
    const attempts = backupAttempts([
      backup('cust-7-a', 'PartiallyFailed', 60),
      backup('cust-7-b', 'Failed', 10),
      backup('cust-7-c', 'FailedValidation', 60),
      backup('cust-7-d', 'PartiallyFailed', 60),
      backup('cust-7-d-r2', 'Failed', 60, ['cust-7-d', 2]),
      backup('cust-7-d-r3', 'Failed', 60, ['cust-7-d', 3]),
      backup('cust-7-old', 'Failed', 7 * 3600),
    ]);
    expect(
      plannedRetries(attempts, { now: NOW }).map((r) => [r.first.metadata.name, r.next, r.dueAt <= ago(0)]),
    ).toEqual([
      ['cust-7-a', 2, true],
      ['cust-7-b', 2, false],
    ]);
  });

  it('no retry while the newest attempt is being deleted', () => {
    const failed = backup('cust-7-a', 'Failed', 60);
    const deleting = { ...failed, metadata: { ...failed.metadata, deletionTimestamp: ago(1) } };
    expect(plannedRetries(backupAttempts([deleting]), { now: NOW })).toEqual([]);
  });
});
