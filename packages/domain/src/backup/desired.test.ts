import { describe, expect, it } from 'vitest';
import {
  dailyCron,
  desiredBackup,
  desiredJobObjects,
  desiredRestore,
  desiredSchedule,
  retentionTtl,
  veleroObjectName,
} from './desired.ts';
import { backupHooks } from './hooks.ts';
import type { BackupSettings, JobRow } from './types.ts';

const settings: BackupSettings = {
  namespace: 'backup-system',
  storageLocation: 's3-main',
  volumePolicy: 'tenant-volume-policy',
  windowStartHour: 1,
  windowHours: 4,
};
const row = (
  kind: JobRow['kind'],
  name: string,
  phase = 'New',
  backupName: string | null = null,
): JobRow => ({
  kind,
  name,
  backupName,
  phase,
  message: null,
  startedAt: null,
  completedAt: null,
});
const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'customer-id': '1001', tenant: 'true' };

describe('desiredSchedule', () => {
  it('backs up the tenant namespace daily, tenant objects only, Kopia for volumes, plan retention', () => {
    expect(desiredSchedule(1001, 14, settings)).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: { name: 'cust-1001-daily', namespace: 'backup-system', labels },
      spec: {
        schedule: '41 1 * * *',
        paused: false,
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: ['cust-1001'],
          labelSelector: { matchLabels: { tenant: 'true' } },
          defaultVolumesToFsBackup: true,
          snapshotVolumes: false,
          storageLocation: 's3-main',
          // Scratch emptyDirs skipped by the volume policy bootstrap renders (tenantVolumePolicy).
          resourcePolicy: { kind: 'configmap', name: 'tenant-volume-policy' },
          ttl: '336h0m0s',
          hooks: backupHooks(1001),
          metadata: { labels },
        },
      },
    });
  });

  it('is the same value on every call (no clock, no randomness)', () => {
    expect(desiredSchedule(1001, 7, settings)).toEqual(desiredSchedule(1001, 7, settings));
  });
});

describe.each([
  [1001, '41 1 * * *'],
  [1059, '39 2 * * *'],
  [1020, '0 2 * * *'],
  [1200, '0 1 * * *'],
])('dailyCron(%i)', (id, cron) => {
  it(`spreads customers over the window: ${cron}`, () => expect(dailyCron(id, settings)).toBe(cron));
});

describe('retentionTtl', () => {
  it.each([
    [1, '24h0m0s'],
    [30, '720h0m0s'],
  ])('%i day(s) → %s', (days, ttl) => expect(retentionTtl(days)).toBe(ttl));
  it.each([0, -1, 1.5])('refuses %s', (days) => expect(() => retentionTtl(days)).toThrow(/retention/));
});

describe('object names', () => {
  it('keeps the prefix the API gave, adds it otherwise', () => {
    expect(veleroObjectName(1001, 'cust-1001-before-update')).toBe('cust-1001-before-update');
    expect(veleroObjectName(1001, 'nightly')).toBe('cust-1001-nightly');
    expect(veleroObjectName(1001, 'cust-1002-x')).toBe('cust-1001-cust-1002-x');
  });
});

describe('Backup and Restore objects', () => {
  it('a Backup of a row shares the schedule template', () => {
    const backup = desiredBackup(1001, row('backup', 'cust-1001-now'), 14, settings);
    expect(backup.metadata).toEqual({ name: 'cust-1001-now', namespace: 'backup-system', labels });
    expect(backup.spec).toEqual((desiredSchedule(1001, 14, settings).spec as { template: unknown }).template);
  });

  it('a Restore goes into the same namespace and updates objects that exist', () => {
    const restore = desiredRestore(
      1001,
      row('restore', 'cust-1001-restore-1', 'New', 'cust-1001-now'),
      settings,
    );
    expect(restore).toMatchObject({
      kind: 'Restore',
      metadata: { name: 'cust-1001-restore-1', namespace: 'backup-system', labels },
      spec: {
        backupName: 'cust-1001-now',
        includedNamespaces: ['cust-1001'],
        existingResourcePolicy: 'update',
        labelSelector: { matchLabels: { tenant: 'true' } },
      },
    });
    expect(restore.spec).not.toHaveProperty('namespaceMapping');
  });

  it('a Restore of some sites selects their objects by the site label, besides tenant=true', () => {
    const restore = desiredRestore(
      1001,
      { ...row('restore', 'cust-1001-restore-2', 'New', 'cust-1001-now'), sites: ['web', 'blog'] },
      settings,
    );
    expect((restore.spec as { labelSelector: unknown }).labelSelector).toEqual({
      matchLabels: { tenant: 'true' },
      matchExpressions: [{ key: 'hostplane.io/site', operator: 'In', values: ['blog', 'web'] }],
    });
    const whole = desiredRestore(1001, { ...row('restore', 'r', 'New', 'b'), sites: null }, settings);
    expect((whole.spec as { labelSelector: unknown }).labelSelector).toEqual({
      matchLabels: { tenant: 'true' },
    });
  });

  it('only rows Velero has not seen yet (phase New) become objects', () => {
    const objects = desiredJobObjects(
      1001,
      [row('backup', 'a'), row('backup', 'b', 'Completed'), row('restore', 'r', 'New', 'a')],
      7,
      settings,
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Backup/cust-1001-a',
      'Restore/cust-1001-r',
    ]);
  });
});
