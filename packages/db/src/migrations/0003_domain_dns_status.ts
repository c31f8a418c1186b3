import { type Kysely, sql } from 'kysely';

// What the DNS target observed for each hosted zone: the DS records of a signed zone (for the
// customer's registrar). The API shows them without calling PowerDNS inside a request.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table domains add column if not exists ds jsonb`.execute(db);
  await sql`alter table domains add column if not exists dns_status_updated_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table domains drop column if exists ds, drop column if exists dns_status_updated_at`.execute(
    db,
  );
}
