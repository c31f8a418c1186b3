import { z } from 'zod';
import { idParam, timestamp } from './common.ts';

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
  })
  .meta({ id: 'Backup' });
export type Backup = z.infer<typeof backupSchema>;

export const createRestoreBody = z.object({ backup: backupName }).strict();
export type CreateRestoreBody = z.infer<typeof createRestoreBody>;

export const restoreSchema = z
  .object({
    name: z.string(),
    backup: z.string(),
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
