import { backupPlatform } from '@hostplane/platform-backup';
import { z } from 'zod';
import type { Invocation } from '../program.ts';
import { describeSources, platformBackupDeps } from './platform-backup-env.ts';

const usage = 'usage: hostplane backup-platform [--prefix platform] [--retention-days 14]';

/** `hostplane backup-platform`: the panel's PostgreSQL, the mail DB and PowerDNS's DB to the bucket. */
export async function run(invocation: Extract<Invocation, { command: 'backup-platform' }>): Promise<number> {
  const days = z.coerce
    .number({ error: '--retention-days is a whole number of days' })
    .int('--retention-days is a whole number of days')
    .min(1)
    .max(3650)
    .safeParse(invocation.retentionDays);
  if (!days.success) {
    console.error(`hostplane backup-platform: ${days.error.issues.map((i) => i.message).join('; ')}`);
    console.error(usage);
    return 2;
  }
  const deps = platformBackupDeps(process.env, invocation.prefix);
  console.error(`backing up to ${deps.store.bucket}/${deps.prefix}/ (${describeSources(deps)})`);
  const { manifest, expired } = await backupPlatform(deps, days.data);
  for (const s of manifest.sources) console.error(`  ${s.name}: ${s.key} (${s.bytes} bytes)`);
  if (expired.length > 0) console.error(`  expired: ${expired.join(', ')}`);
  console.log(manifest.id);
  return 0;
}
