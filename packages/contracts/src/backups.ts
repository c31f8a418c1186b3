import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { siteName } from './sites.ts';

const backupName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a backup name (DNS label)');

export const createBackupBody = z
  .object({
    name: backupName.max(40).optional().describe('suffix of the name; it is prefixed with cust-{id}-'),
  })
  .strict();
export type CreateBackupBody = z.infer<typeof createBackupBody>;

export const backupSchema = z
  .object({
    name: z.string(),
    phase: z.string(),
    message: z.string().nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    createdAt: timestamp,
    /** What Velero reports once it has finished with the backup; null before. */
    stats: z
      .object({
        itemsBackedUp: z.number().int().meta({ description: 'Kubernetes objects in the backup' }),
        totalItems: z.number().int(),
        volumeBytes: z.number().int().meta({ description: 'pod volume data moved by Kopia (bytes)' }),
        warnings: z.number().int(),
        errors: z.number().int(),
      })
      .nullable(),
    /** What the backup holds in the panel's terms, recorded when Velero took it; null before (or older backups). */
    contents: z
      .object({
        sites: z.array(z.string()).meta({ description: 'the sites whose objects and volumes it holds' }),
        mailboxes: z.array(z.string()).meta({ description: 'the mailboxes whose messages it holds' }),
        zones: z
          .array(z.string())
          .meta({ description: 'the DNS zones whose records (and DNSSEC keys) it holds' }),
      })
      .nullable(),
  })
  .meta({ id: 'Backup' });
export type Backup = z.infer<typeof backupSchema>;

export const createRestoreBody = z
  .object({
    backup: backupName,
    sites: z
      .array(siteName)
      .min(1)
      .max(50)
      .optional()
      .describe(
        'restore only these sites of the backup (their objects and volumes); absent: the whole backup',
      ),
  })
  .strict();
export type CreateRestoreBody = z.infer<typeof createRestoreBody>;

export const restoreSchema = z
  .object({
    name: z.string(),
    backup: z.string(),
    /** The sites it brings back; null: the whole backup. */
    sites: z.array(z.string()).nullable(),
    phase: z.string(),
    message: z.string().nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Restore' });
export type Restore = z.infer<typeof restoreSchema>;

/** GET …/backups/{name}: the full (prefixed) name as listed. */
export const backupParams = z.object({ id: idParam, name: backupName }).strict();
