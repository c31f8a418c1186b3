import { backupSiteNames, type JobRow, parseBackupContents } from '@hostplane/domain';
import type { Kysely, Transaction } from 'kysely';
import { currentBackupContents } from './backup-contents.ts';
import type { BackupRecord, PanelDatabase, RestoreRecord } from './schema.ts';

// The backups and restores rows as the Backup target reads and updates them (the worker's
// BackupJobLedger of @hostplane/provisioner-backup, satisfied structurally). Status columns only:
// the customer's generation is left alone, these are observations, not desired state.

/** The domain's JobRow: one row of the backups or restores table. */
export type BackupJobRow = JobRow;

export type BackupJobStatus = Omit<
  BackupJobRow,
  'backupName' | 'sites' | 'backupSites' | 'backupMailboxes' | 'backupZones' | 'contentsRecorded'
> & {
  /** Mailboxes exported with the backup on this write (recorded in its contents). */
  mailboxes?: string[];
  /** DNS zones exported with the backup on this write (recorded in its contents). */
  zones?: string[];
};

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** The customer's backups and restores, sorted by kind then name. */
export async function loadBackupJobs(db: Kysely<PanelDatabase>, customerId: number): Promise<BackupJobRow[]> {
  const [backups, restores] = await Promise.all([
    db.selectFrom('backups').selectAll().where('customer_id', '=', customerId).orderBy('name').execute(),
    db.selectFrom('restores').selectAll().where('customer_id', '=', customerId).orderBy('name').execute(),
  ]);
  const contentsOf = new Map(backups.map((b) => [b.name, parseBackupContents(b.contents)] as const));
  const common = (
    r: Pick<(typeof backups)[number], 'name' | 'phase' | 'message' | 'started_at' | 'completed_at'>,
  ) => ({
    name: r.name,
    phase: r.phase,
    message: r.message,
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
  });
  return [
    ...backups.map((r) => ({
      kind: 'backup' as const,
      backupName: null,
      ...common(r),
      stats: r.stats,
      contentsRecorded: r.contents !== null,
    })),
    ...restores.map((r) => ({
      kind: 'restore' as const,
      backupName: r.backup_name,
      ...common(r),
      sites: r.sites,
      backupSites: ((c) => (c ? backupSiteNames(c) : null))(contentsOf.get(r.backup_name)),
      backupMailboxes: contentsOf.get(r.backup_name)?.mailboxes ?? null,
      backupZones: contentsOf.get(r.backup_name)?.zones ?? null,
    })),
  ];
}

/**
 * Writes what Velero reports. A backup without a row (made by the customer's Schedule) gets one, so
 * the customer sees it and may restore it; a restore without a row is never invented. The first write
 * of a backup Velero has picked up records what it holds (the customer's site rows now: the closest
 * to what Velero copies), and later writes keep that record.
 */
export async function recordBackupJobStatuses(
  db: Kysely<PanelDatabase>,
  customerId: number,
  statuses: readonly BackupJobStatus[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const taken = statuses.some((s) => s.kind === 'backup' && s.phase !== 'New');
    const contents = taken ? await currentBackupContents(trx, customerId) : null;
    for (const s of statuses) {
      const values = {
        phase: s.phase,
        message: s.message,
        started_at: s.startedAt,
        completed_at: s.completedAt,
      };
      const backupValues = { ...values, ...(s.stats !== undefined ? { stats: s.stats } : {}) };
      if (s.kind === 'restore') {
        await trx
          .updateTable('restores')
          .set(values)
          .where('customer_id', '=', customerId)
          .where('name', '=', s.name)
          .execute();
        continue;
      }
      const recorded =
        s.phase !== 'New' && contents !== null
          ? JSON.stringify({
              ...contents,
              mailboxes: [...(s.mailboxes ?? [])].sort(),
              zones: [...(s.zones ?? [])].sort(),
            })
          : null;
      await trx
        .insertInto('backups')
        .values({ customer_id: customerId, name: s.name, ...backupValues, contents: recorded })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => ({
              ...backupValues,
              contents: eb.fn.coalesce('backups.contents', eb.val(recorded).$castTo<string | null>()),
            }))
            .where('backups.customer_id', '=', customerId),
        )
        .execute();
    }
  });
}

/** For the composition root: the ledger the Backup target takes. */
export function backupJobLedger(db: Kysely<PanelDatabase>) {
  return {
    load: (customerId: number) => loadBackupJobs(db, customerId),
    record: (customerId: number, statuses: readonly BackupJobStatus[]) =>
      recordBackupJobStatuses(db, customerId, statuses),
  };
}

/** A backup asked for by hand; undefined when the name is taken (the unique index decides). */
export function insertBackup(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  name: string,
): Promise<BackupRecord | undefined> {
  return trx
    .insertInto('backups')
    .values({ customer_id: customerId, name })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** One of the customer's backups by name (what a restore names). */
export function findBackupOf(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  name: string,
): Promise<{ name: string; phase: string } | undefined> {
  return trx
    .selectFrom('backups')
    .select(['name', 'phase'])
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function insertRestore(
  trx: Transaction<PanelDatabase>,
  restore: { customerId: number; name: string; backupName: string; sites?: string[] | null },
): Promise<RestoreRecord> {
  return trx
    .insertInto('restores')
    .values({
      customer_id: restore.customerId,
      name: restore.name,
      backup_name: restore.backupName,
      sites: restore.sites ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
