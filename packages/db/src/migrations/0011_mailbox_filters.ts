import { type Kysely, sql } from 'kysely';

// Issue 17: a mailbox's autoresponder and forwarding (JSON, validated by the API's contracts) and the
// customer's own Sieve script (checked by sievec before it is saved). The Mail target renders them into
// the mail DB's virtual_sieve_scripts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes add column if not exists autoresponder jsonb`.execute(db);
  await sql`alter table mailboxes add column if not exists forwarding jsonb`.execute(db);
  await sql`alter table mailboxes add column if not exists custom_sieve text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes drop column if exists autoresponder, drop column if exists forwarding, drop column if exists custom_sieve`.execute(
    db,
  );
}
