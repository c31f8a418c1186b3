import { type Kysely, sql } from 'kysely';

// Issue 10 (DNS per-zone ratio): per customer and zone, the fingerprint of the desired state the DNS
// target last applied and verified on PowerDNS. A change pass reads only zones whose desired
// fingerprint differs; the periodic resync reads them all. Shared by every worker process.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists dns_applied_zones (
    customer_id integer not null references customers(id) on delete cascade,
    zone text not null,
    fingerprint text not null,
    applied_at timestamptz not null default now(),
    primary key (customer_id, zone)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists dns_applied_zones`.execute(db);
}
