import { createApiToken, findUserIdByEmail } from '@hostplane/api';
import { openMigratedPanelDb } from '@hostplane/db';
import { z } from 'zod';
import type { Invocation } from '../program.ts';

const usage = 'usage: hostplane token create --email E --name N [--scope read|write] [--expires ISO-8601]';

const argsSchema = z.object({
  email: z.email({ error: '--email must be a mail address' }),
  name: z.string({ error: '--name is required' }).min(1, '--name is required').max(80),
  scope: z.enum(['read', 'write'], { error: '--scope is read or write' }).default('write'),
  expires: z.iso.datetime({ offset: true, error: '--expires must be an ISO-8601 time' }).optional(),
});

/** `hostplane token create`: prints a new API token of an existing user, alone on its line. */
export async function run(invocation: Extract<Invocation, { command: 'token create' }>): Promise<number> {
  const { command: _, ...values } = invocation;
  const args = argsSchema.safeParse(values);
  const url = z.url({ error: 'DATABASE_URL must be a postgres:// URL' }).safeParse(process.env.DATABASE_URL);
  if (!args.success || !url.success) {
    console.error(
      `hostplane token: ${[...(args.error?.issues ?? []), ...(url.error?.issues ?? [])].map((i) => i.message).join('; ')}`,
    );
    console.error(usage);
    return 2;
  }
  const db = await openMigratedPanelDb(url.data);
  try {
    const userId = await findUserIdByEmail(db, args.data.email);
    if (userId === null) {
      console.error(`hostplane token: no user with email ${args.data.email}`);
      return 1;
    }
    const expiresAt = args.data.expires ? new Date(args.data.expires) : null;
    const { token } = await createApiToken(db, userId, {
      name: args.data.name,
      scope: args.data.scope,
      expiresAt,
    });
    // The token alone on stdout, so scripts can capture it: TOKEN=$(hostplane token create …).
    console.log(token);
    return 0;
  } finally {
    await db.destroy();
  }
}
