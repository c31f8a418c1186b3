import { type Kysely, sql } from 'kysely';

// Issue 17: `webmail.{domain}` as a host of the platform's shared webmail, when the customer wants it
// (PATCH domain {webmail: true}): a DNS record in the customer's zone and an Ingress host.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table domains add column if not exists webmail boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table domains drop column if exists webmail`.execute(db);
}
