// Pure Velero objects for one customer (DESIGN.md §1 backup-system): no clock, no randomness, so a
// second pass computes the very same objects and the desired-hash annotation says "no change".
import { SITE_LABEL, TENANT_LABEL, tenantLabels } from '../k8s/labels.ts';
import type { KubeObject } from '../k8s/types.ts';
import { tenantNamespace } from '../snapshot.ts';
import { backupHooks, restoreHooks } from './hooks.ts';
import type { BackupSettings, JobRow } from './types.ts';

export const VELERO_API_VERSION = 'velero.io/v1';
/** Velero puts it on every Backup a Schedule creates. */
export const SCHEDULE_NAME_LABEL = 'velero.io/schedule-name';

/** The tenant's objects only (every object in cust-* carries tenant=true; DESIGN.md §3). */
const TENANT_SELECTOR = { matchLabels: { [TENANT_LABEL]: 'true' } };

export function scheduleName(customerId: number): string {
  return `cust-${customerId}-daily`;
}

/** Velero object name of a row: rows made by the API already carry the `cust-{id}-` prefix. */
export function veleroObjectName(customerId: number, rowName: string): string {
  const prefix = `cust-${customerId}-`;
  return rowName.startsWith(prefix) ? rowName : `${prefix}${rowName}`;
}

/** Velero's TTL is a Go duration; retention is counted in whole days. */
export function retentionTtl(days: number): string {
  if (!Number.isInteger(days) || days < 1) throw new Error(`backup retention must be ≥ 1 day, got ${days}`);
  return `${days * 24}h0m0s`;
}

/** Daily cron, minute and hour spread over the window by customer id (deterministic). */
export function dailyCron(customerId: number, settings: BackupSettings): string {
  const minute = customerId % 60;
  const hour = (settings.windowStartHour + (Math.floor(customerId / 60) % settings.windowHours)) % 24;
  return `${minute} ${hour} * * *`;
}

/** The spec every backup of the customer shares, scheduled or on demand. */
function backupSpec(customerId: number, retentionDays: number, settings: BackupSettings) {
  return {
    includedNamespaces: [tenantNamespace(customerId)],
    labelSelector: TENANT_SELECTOR,
    // Kopia file-system backup of every pod volume: Longhorn PVC data without CSI snapshots.
    defaultVolumesToFsBackup: true,
    snapshotVolumes: false,
    storageLocation: settings.storageLocation,
    ...(settings.volumePolicy ? { resourcePolicy: { kind: 'configmap', name: settings.volumePolicy } } : {}),
    ttl: retentionTtl(retentionDays),
    // A consistent database: mariadb-dump into the data volume before Kopia copies it (hooks.ts).
    hooks: backupHooks(customerId),
    metadata: { labels: tenantLabels(customerId) },
  };
}

function veleroMeta(customerId: number, name: string, settings: BackupSettings) {
  return { name, namespace: settings.namespace, labels: tenantLabels(customerId) };
}

export function desiredSchedule(
  customerId: number,
  retentionDays: number,
  settings: BackupSettings,
): KubeObject {
  return {
    apiVersion: VELERO_API_VERSION,
    kind: 'Schedule',
    metadata: veleroMeta(customerId, scheduleName(customerId), settings),
    spec: {
      schedule: dailyCron(customerId, settings),
      // Owned explicitly, so a hand-paused schedule is resumed; suspended customers keep their backups.
      paused: false,
      // No owner references: deleting the Schedule (customer deleted) keeps its backups until their TTL.
      useOwnerReferencesInBackup: false,
      template: backupSpec(customerId, retentionDays, settings),
    },
  };
}

export function desiredBackup(
  customerId: number,
  row: JobRow,
  retentionDays: number,
  settings: BackupSettings,
): KubeObject {
  return {
    apiVersion: VELERO_API_VERSION,
    kind: 'Backup',
    metadata: veleroMeta(customerId, veleroObjectName(customerId, row.name), settings),
    spec: backupSpec(customerId, retentionDays, settings),
  };
}

/**
 * `attemptOf` maps a backup's Velero name to the attempt that holds its data (retry.ts: a backup whose
 * volume part failed was made again under another name); default: the backup itself.
 */
export function desiredRestore(
  customerId: number,
  row: JobRow,
  settings: BackupSettings,
  attemptOf: (veleroName: string) => string = (name) => name,
): KubeObject {
  if (!row.backupName) throw new Error(`restore ${row.name} names no backup`);
  return {
    apiVersion: VELERO_API_VERSION,
    kind: 'Restore',
    metadata: veleroMeta(customerId, veleroObjectName(customerId, row.name), settings),
    spec: {
      backupName: attemptOf(veleroObjectName(customerId, row.backupName)),
      // Into the same namespace (no mapping), and only the tenant's own objects: of the sites asked for,
      // when the restore names some (every object of a site carries its site label; DESIGN.md §3).
      includedNamespaces: [tenantNamespace(customerId)],
      labelSelector: row.sites?.length
        ? {
            ...TENANT_SELECTOR,
            matchExpressions: [{ key: SITE_LABEL, operator: 'In', values: [...row.sites].sort() }],
          }
        : TENANT_SELECTOR,
      // Objects that still exist are brought back to the backed-up state instead of being skipped.
      existingResourcePolicy: 'update',
      restorePVs: true,
      hooks: restoreHooks(customerId),
    },
  };
}

/** Rows whose Velero object is still to be created: only rows never seen by Velero (phase New). */
export function desiredJobObjects(
  customerId: number,
  rows: JobRow[],
  retentionDays: number,
  settings: BackupSettings,
  attemptOf?: (veleroName: string) => string,
): KubeObject[] {
  return rows
    .filter((row) => row.phase === 'New')
    .map((row) =>
      row.kind === 'backup'
        ? desiredBackup(customerId, row, retentionDays, settings)
        : desiredRestore(customerId, row, settings, attemptOf),
    );
}
