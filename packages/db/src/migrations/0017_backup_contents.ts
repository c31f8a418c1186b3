import { type Kysely, sql } from 'kysely';

// Issue 15: what a backup holds in the panel's terms (the site rows as they were when Velero took it,
// passwords sealed as in `sites`), so a restore after a site was deleted re-creates its row; and which
// sites a restore brings back (null: the whole backup).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table backups add column if not exists contents jsonb`.execute(db);
  await sql`alter table restores add column if not exists sites text[]`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table restores drop column if exists sites`.execute(db);
  await sql`alter table backups drop column if exists contents`.execute(db);
}
