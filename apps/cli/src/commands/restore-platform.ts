import { listPlatformBackups, PLATFORM_SOURCES, restorePlatform } from '@hostplane/platform-backup';
import { z } from 'zod';
import type { Invocation } from '../program.ts';
import { describeSources, platformBackupDeps } from './platform-backup-env.ts';

const usage =
  'usage: hostplane restore-platform [--list] [--backup ID] [--only panel,mail,pdns,maildir] [--prefix platform] --yes';

const argsSchema = z.object({
  backup: z
    .string()
    .regex(/^\d{8}T\d{6}Z$/, '--backup is an id like 20261127T190553Z')
    .optional(),
  only: z
    .string()
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(z.enum(PLATFORM_SOURCES, { error: '--only names panel, mail, pdns or maildir' })).min(1))
    .optional(),
});

/** `hostplane restore-platform`: disaster recovery of the panel's state from `backup-platform`'s dumps. */
export async function run(invocation: Extract<Invocation, { command: 'restore-platform' }>): Promise<number> {
  const args = argsSchema.safeParse(invocation);
  if (!args.success) {
    console.error(`hostplane restore-platform: ${args.error.issues.map((i) => i.message).join('; ')}`);
    console.error(usage);
    return 2;
  }
  const deps = platformBackupDeps(process.env, invocation.prefix);
  if (invocation.list) {
    for (const id of await listPlatformBackups(deps.store, deps.prefix)) console.log(id);
    return 0;
  }
  if (!invocation.yes) {
    console.error('restore-platform replaces the databases’ contents; run it again with --yes');
    console.error(usage);
    return 2;
  }
  console.error(`restoring from ${deps.store.bucket}/${deps.prefix}/ (${describeSources(deps)})`);
  const { id, restored } = await restorePlatform(deps, { id: args.data.backup, only: args.data.only });
  console.log(`restored ${restored.join(', ')} from ${id}`);
  return 0;
}
