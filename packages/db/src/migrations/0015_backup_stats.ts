import { type Kysely, sql } from 'kysely';

// Issue 15: what Velero reports of each backup, for the API: items backed up and in total, bytes of
// pod volume data moved by the node agent (sum of its PodVolumeBackups), warnings and errors.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table backups add column if not exists stats jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table backups drop column if exists stats`.execute(db);
}
