// Unit-test fixtures of the backup status rules (status.test.ts, retry-status.test.ts): the target's
// default settings, a panel job row, and a Velero object as the target reads it from backup-system.
import type { LiveObject } from '@hostplane/provisioner-k8s';
import type { JobRow } from '../port.ts';
import { backupSettingsSchema } from '../settings.ts';

export const settings = backupSettingsSchema.parse({});

export const row = (over: Partial<JobRow>): JobRow => ({
  kind: 'backup',
  name: 'cust-1001-a',
  backupName: null,
  phase: 'New',
  message: null,
  startedAt: null,
  completedAt: null,
  ...over,
});

export const live = (
  kind: string,
  name: string,
  status?: object,
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
): LiveObject => ({
  apiVersion: 'velero.io/v1',
  kind,
  metadata: { name, namespace: 'backup-system', labels, ...(annotations ? { annotations } : {}) },
  ...(status ? { status: status as Record<string, unknown> } : {}),
});
