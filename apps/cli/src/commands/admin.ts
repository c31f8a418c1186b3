import { createAdminUser } from '@hostplane/api';
import { openMigratedPanelDb } from '@hostplane/db';
import { z } from 'zod';
import type { Invocation } from '../program.ts';

const usage =
  'usage: printf %s "$PASSWORD" | hostplane admin create --email E --password-stdin   (or --password P; DATABASE_URL from the environment)';

const argsSchema = z.object({
  email: z.email({ error: '--email must be a mail address' }),
  password: z
    .string({ error: 'a password is required: --password-stdin (or --password P)' })
    .min(10, 'the password needs at least 10 characters')
    .max(256),
});

/** Standard input up to its end, without the one line break `echo` adds. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `hostplane admin create`: migrates the panel database, then creates an admin login. */
export async function run(invocation: Extract<Invocation, { command: 'admin create' }>): Promise<number> {
  const password = invocation.passwordStdin ? await readStdin() : invocation.password;
  const args = argsSchema.safeParse({ email: invocation.email, password });
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
