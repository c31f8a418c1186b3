// `hostplane mail-schema`: the mail database's tables (virtual_domains, virtual_users, …) at the newest
// schema, before Postfix and Dovecot query them (issue 14): mail-system's `mail-schema` Job runs it from
// the panel's image, and their init containers wait for its tables. Idempotent; concurrent runs
// serialise on the migrator's named lock.
import { migrateMailDb } from '@hostplane/provisioner-mail';
import { z } from 'zod';

const envSchema = z.object({
  MAIL_DATABASE_URL: z
    .string({ error: 'MAIL_DATABASE_URL is required (mysql://user:password@host:3306/database)' })
    .regex(/^mysql:\/\/[^\s]+$/, 'MAIL_DATABASE_URL must be a mysql:// URL'),
});

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    console.error(`hostplane mail-schema: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return 2;
  }
  const { applied } = await migrateMailDb(parsed.data.MAIL_DATABASE_URL);
  console.error(
    applied.length > 0 ? `mail schema: applied ${applied.join(', ')}` : 'mail schema: already up to date',
  );
  return 0;
}
