import { type Kysely, sql } from 'kysely';

// Issue 13 (rate-limit awareness): per customer and host, the ACME attempts the platform made for a
// certificate the edge does not serve yet — the running attempt's start, or the next attempt while the
// host is off the resolver (packages/domain/src/tls/acme-attempts.ts). Shared by every worker process;
// a host served its certificate has no row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists certificate_attempts (
    customer_id integer not null references customers(id) on delete cascade,
    host text not null,
    attempts integer not null check (attempts > 0),
    attempt_started_at timestamptz,
    next_attempt_at timestamptz,
    last_error text,
    updated_at timestamptz not null default now(),
    primary key (customer_id, host),
    check ((attempt_started_at is null) <> (next_attempt_at is null))
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists certificate_attempts`.execute(db);
}
