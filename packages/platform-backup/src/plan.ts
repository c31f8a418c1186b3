import { z } from 'zod';

// Pure rules of platform backups: names, keys, what a complete backup is, and what retention deletes.
// Layout in the bucket: `<prefix>/<id>/<source>.<ext>` per database (and the Maildir volume's archive),
// then `<prefix>/<id>/manifest.json` written last: a backup without its manifest is incomplete (a run
// that died) and never restored.

export const DATABASE_SOURCES = ['panel', 'mail', 'pdns'] as const;
export type DatabaseSource = (typeof DATABASE_SOURCES)[number];
/** The databases, then Dovecot's Maildir volume (a tar archive of the directory it is mounted at). */
export const PLATFORM_SOURCES = [...DATABASE_SOURCES, 'maildir'] as const;
export type PlatformSource = (typeof PLATFORM_SOURCES)[number];

/** `2026-11-27T19:05:53.123Z` → `20261127T190553Z` (sorts by time; one backup per second at most). */
export function backupId(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export const backupIdSchema = z.string().regex(/^\d{8}T\d{6}Z$/, 'a backup id like 20261127T190553Z');

export function backupIdTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  if (!m) throw new Error(`not a backup id: ${id}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

export function sourceFile(source: PlatformSource): string {
  // PostgreSQL's custom format is compressed already; the MariaDB dumps are gzipped SQL.
  if (source === 'maildir') return 'maildir.tar.gz';
  return source === 'panel' ? 'panel.pgdump' : `${source}.sql.gz`;
}

export const objectKey = (prefix: string, id: string, file: string): string => `${prefix}/${id}/${file}`;
export const manifestKey = (prefix: string, id: string): string => objectKey(prefix, id, 'manifest.json');

export const manifestSchema = z.object({
  format: z.literal('hostplane-platform-backup/1'),
  id: backupIdSchema,
  createdAt: z.iso.datetime(),
  sources: z.array(
    z.object({
      name: z.enum(PLATFORM_SOURCES),
      key: z.string().min(1),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
export type PlatformBackupManifest = z.infer<typeof manifestSchema>;

/** The ids under `prefix` from a listing, split into complete (manifest present) and incomplete. */
export function backupsInListing(
  prefix: string,
  keys: readonly string[],
): { complete: string[]; incomplete: string[] } {
  const ids = new Map<string, boolean>();
  for (const key of keys) {
    if (!key.startsWith(`${prefix}/`)) continue;
    const [id, file] = key.slice(prefix.length + 1).split('/');
    if (!id || !backupIdSchema.safeParse(id).success) continue;
    ids.set(id, (ids.get(id) ?? false) || file === 'manifest.json');
  }
  const sorted = [...ids.keys()].sort();
  return {
    complete: sorted.filter((id) => ids.get(id)),
    incomplete: sorted.filter((id) => !ids.get(id)),
  };
}

/**
 * Backups retention removes: complete ones older than `retentionDays`, never the newest complete
 * one (an old backup beats none), and incomplete ones older than a day (a run still uploading is
 * younger than that).
 */
export function expiredBackups(
  listing: { complete: readonly string[]; incomplete: readonly string[] },
  now: Date,
  retentionDays: number,
): string[] {
  const age = (id: string) => now.getTime() - backupIdTime(id).getTime();
  const day = 86_400_000;
  const newest = listing.complete.at(-1);
  return [
    ...listing.complete.filter((id) => id !== newest && age(id) > retentionDays * day),
    ...listing.incomplete.filter((id) => age(id) > day),
  ].sort();
}
