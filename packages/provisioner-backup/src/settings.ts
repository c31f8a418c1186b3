import { z } from 'zod';

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label');

/** What the backup target needs from the platform configuration (its `backup` section). */
export const backupSettingsSchema = z.object({
  /** Velero's namespace: Schedules, Backups and Restores live there, never in the tenant's. */
  namespace: dnsLabel.default('backup-system'),
  /** Name of the Velero BackupStorageLocation (S3) the backups go to. */
  storageLocation: dnsLabel.default('default'),
  /**
   * ConfigMap in `namespace` holding Velero's volume policy for tenant backups (rendered by bootstrap,
   * `tenantVolumePolicy`): scratch emptyDirs are skipped, claims are backed up by Kopia. Null: none.
   */
  volumePolicy: dnsLabel.nullable().default('tenant-volume-policy'),
  /**
   * First hour (UTC) of the nightly window. Customers are spread over `windowHours` hours by id, so
   * a thousand tenants do not all start Kopia at the same minute.
   */
  windowStartHour: z.number().int().min(0).max(23).default(1),
  windowHours: z.number().int().min(1).max(24).default(4),
});

export type BackupSettingsInput = z.input<typeof backupSettingsSchema>;
export type BackupSettings = z.output<typeof backupSettingsSchema>;
