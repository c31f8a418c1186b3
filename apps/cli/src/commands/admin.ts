import { parseArgs } from 'node:util';
import { createAdminUser } from '@hostplane/api';
import { openMigratedPanelDb } from '@hostplane/db';
import { z } from 'zod';

const usage = 'usage: hostplane admin create --email E --password P   (DATABASE_URL from the environment)';

const argsSchema = z.object({
  email: z.email({ error: '--email must be a mail address' }),
  password: z
    .string({ error: '--password is required' })
    .min(10, '--password needs at least 10 characters')
    .max(256),
});

/** `hostplane admin create`: migrates the panel database, then creates an admin login. */
export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, password: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const args = argsSchema.safeParse(values);
  const url = z.url({ error: 'DATABASE_URL must be a postgres:// URL' }).safeParse(process.env.DATABASE_URL);
  if (!args.success || !url.success) {
    console.error(
      `hostplane admin: ${[...(args.error?.issues ?? []), ...(url.error?.issues ?? [])].map((i) => i.message).join('; ')}`,
    );
    console.error(usage);
    return 2;
  }
  const db = await openMigratedPanelDb(url.data);
  try {
    const id = await createAdminUser(db, args.data.email, args.data.password);
    console.log(`admin ${args.data.email.toLowerCase()} created (user ${id})`);
    return 0;
  } finally {
    await db.destroy();
  }
}
