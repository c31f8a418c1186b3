import { type Kysely, sql } from 'kysely';

// Domain ownership (README "Domain verification"). Every domain carries the token the API gave for
// it and the state of its last check; the worker checks due domains (verification_next_at) through a
// recursive resolver. Domains that exist before this migration start Pending and are checked on the
// worker's next minute: those already delegated to the platform are verified then, others stop
// capturing mail until their owner proves them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table domains
    add column if not exists verification_token text,
    add column if not exists verification_state text not null default 'Pending'
      constraint domains_verification_state_check check (verification_state in ('Pending', 'Verified', 'Failed')),
    add column if not exists verification_method text
      constraint domains_verification_method_check check (verification_method in ('ns', 'txt', 'admin')),
    add column if not exists verification_message text not null default '',
    add column if not exists verification_checked_at timestamptz,
    add column if not exists verification_failures integer not null default 0,
    add column if not exists verification_next_at timestamptz not null default now()`.execute(db);
  await sql`update domains set verification_token = md5(random()::text || clock_timestamp()::text || id::text)
    where verification_token is null`.execute(db);
  await sql`alter table domains
    alter column verification_token set default 'hp-' || md5(random()::text || clock_timestamp()::text),
    alter column verification_token set not null`.execute(db);
  await sql`create index if not exists domains_verification_due on domains (verification_next_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists domains_verification_due`.execute(db);
  await sql`alter table domains
    drop column if exists verification_token, drop column if exists verification_state,
    drop column if exists verification_method, drop column if exists verification_message,
    drop column if exists verification_checked_at, drop column if exists verification_failures,
    drop column if exists verification_next_at`.execute(db);
}
