import { type Kysely, sql } from 'kysely';

// Per-site status observed by the Kubernetes target (replicas ready, hosts, TLS, failure reason),
// written by the worker after each pass and shown by GET …/sites.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sites add column if not exists status jsonb`.execute(db);
  await sql`alter table sites add column if not exists status_generation integer`.execute(db);
  await sql`alter table sites add column if not exists status_updated_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sites drop column if exists status, drop column if exists status_generation, drop column if exists status_updated_at`.execute(
    db,
  );
}
