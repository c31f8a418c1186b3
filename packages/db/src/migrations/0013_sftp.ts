import { type Kysely, sql } from 'kysely';

// Issue 16: SFTP credentials of a customer's login `c{id}` (docs/sftp.md). The password is stored as an
// argon2id hash only; public keys as parsed by @hostplane/domain (type, base64 blob, comment,
// fingerprint, bits). A customer has SFTP once it has a password or a key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists customer_sftp (
    customer_id integer primary key references customers (id),
    password_hash text,
    public_keys jsonb not null default '[]'::jsonb check (jsonb_typeof(public_keys) = 'array'),
    updated_at timestamptz not null default now()
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists customer_sftp`.execute(db);
}
