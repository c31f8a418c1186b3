import { type Kysely, sql } from 'kysely';

// Issue 17: a mailbox's spam settings (junk and reject scores, allowed and blocked senders), JSON
// validated by the API's contract; null: the defaults. The Mail target renders them into the mailbox's
// `spam` Sieve script (mail DB) and Rspamd's per-recipient policy lines.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes add column if not exists spam jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table mailboxes drop column if exists spam`.execute(db);
}
