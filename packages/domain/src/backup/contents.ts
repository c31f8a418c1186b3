// What a customer backup holds, in the panel's terms, and what a restore of it must bring back to the
// panel's rows. Velero restores Kubernetes objects and volumes; the panel's rows are the source of truth,
// so a site deleted after the backup would be pruned again by the next reconcile unless its row comes
// back too. The backups row therefore records the site rows as they were when Velero took the backup
// (passwords stay sealed, as in the sites table), and a restore re-creates the rows that are missing.
import { z } from 'zod';

const cronJobCopy = z.object({
  name: z.string(),
  schedule: z.string(),
  command: z.string(),
  timeZone: z.string().nullable(),
  suspended: z.boolean(),
  concurrencyPolicy: z.enum(['Forbid', 'Allow', 'Replace']),
});

/** A site row as the backup recorded it: what re-creating the row needs (the database password sealed). */
export const siteCopySchema = z.object({
  name: z.string(),
  template: z.enum(['static', 'php', 'wordpress', 'image']),
  image: z.string().nullable(),
  port: z.number().int().nullable(),
  domains: z.array(z.string()),
  www: z.boolean(),
  replicas: z.number().int(),
  database: z.boolean(),
  databasePassword: z.string().nullable(),
  phpVersion: z.string().nullable(),
  phpSettings: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  cronJobs: z.array(cronJobCopy),
});
export type SiteCopy = z.infer<typeof siteCopySchema>;

/**
 * A database on the customer's own MariaDB as the backup recorded it (issue 16's rows): its users with
 * their passwords sealed, as in customer_database_users. Velero restores the server's volume (the
 * grants and password hashes as they were); re-creating the row with the same sealed password keeps
 * the credentials the sites get equal to the restored data's.
 */
export const databaseCopySchema = z.object({
  name: z.string(),
  sites: z.array(z.string()),
  users: z.array(z.object({ name: z.string(), password: z.string(), owner: z.boolean() })),
});
export type DatabaseCopy = z.infer<typeof databaseCopySchema>;

export const backupContentsSchema = z.object({
  sites: z.array(siteCopySchema),
  /** The customer's own databases (absent in backups recorded before issue 15's second part). */
  databases: z.array(databaseCopySchema).default([]),
  /** The customer's MariaDB root password, sealed (null: no server then). */
  databaseServer: z.object({ rootPassword: z.string() }).nullable().default(null),
  /** Mailboxes whose messages were exported with the backup (the Backup target's mail archive). */
  mailboxes: z.array(z.string()).default([]),
  /** DNS zones exported with the backup (records, DNSSEC keys: the Backup target's DNS archive). */
  zones: z.array(z.string()).default([]),
});
export type BackupContents = z.infer<typeof backupContentsSchema>;

/** The stored JSON read back (null: the backup was taken before contents were recorded, or unseen yet). */
export function parseBackupContents(value: unknown): BackupContents | null {
  if (value === null || value === undefined) return null;
  return backupContentsSchema.parse(value);
}

/** What the API shows of a backup's contents: the names of its sites, sorted. */
export function backupSiteNames(contents: BackupContents): string[] {
  return contents.sites.map((s) => s.name).sort();
}

export interface RestoreScopeIssue {
  /** Field path in the restore's body, e.g. `sites.1`. */
  path: string;
  message: string;
}

export interface RestoreScope {
  /** The sites the restore brings back (all of the backup's when none were asked for). */
  sites: string[];
  /** Of those, the sites whose panel row is gone: the restore re-creates them from the backup's copy. */
  recreate: SiteCopy[];
  /**
   * The customer databases whose row is gone and that the restore brings back: all of the backup's
   * (whole restore), or those attached to one of the restored sites.
   */
  recreateDatabases: DatabaseCopy[];
  issues: RestoreScopeIssue[];
}

/**
 * Which sites a restore of `contents` covers and which rows it re-creates. `requested` (the body's
 * `sites`) must name sites the backup holds; `existing` are the customer's current site names. A site
 * that exists now keeps its row (the restore brings its objects and volume back to the backup's state,
 * and the next reconcile applies the row over them).
 */
export function planRestoreScope(
  contents: BackupContents | null,
  existing: readonly string[],
  requested?: readonly string[],
  existingDatabases: readonly string[] = [],
): RestoreScope {
  const held = new Map((contents?.sites ?? []).map((s) => [s.name, s]));
  const issues: RestoreScopeIssue[] = [];
  if (requested) {
    if (!contents)
      issues.push({
        path: 'sites',
        message: 'the backup’s contents are not known yet (it has not been taken): restore the whole backup',
      });
    else
      requested.forEach((name, i) => {
        if (!held.has(name)) issues.push({ path: `sites.${i}`, message: `the backup holds no site ${name}` });
      });
    const seen = new Set<string>();
    requested.forEach((name, i) => {
      if (seen.has(name)) issues.push({ path: `sites.${i}`, message: `site ${name} is named twice` });
      seen.add(name);
    });
  }
  const sites = (requested ? [...new Set(requested)] : [...held.keys()]).sort();
  const present = new Set(existing);
  const recreate = sites.flatMap((name) => {
    const copy = held.get(name);
    return copy && !present.has(name) ? [copy] : [];
  });
  const restored = new Set(sites);
  const databases = new Set(existingDatabases);
  const recreateDatabases = (contents?.databases ?? []).filter(
    (d) => !databases.has(d.name) && (!requested || d.sites.some((s) => restored.has(s))),
  );
  return { sites, recreate, recreateDatabases, issues };
}
