import { sql } from 'kysely';
import type { PanelDb } from './db.ts';

/** The graphile-worker task that checks the ownership of every domain whose check is due. */
export const VERIFY_DOMAINS_TASK = 'hostplane_verify_domains';

/** Every minute; each run checks the domains whose (backed-off) time has come. */
export const VERIFY_DOMAINS_CRONTAB = `* * * * * ${VERIFY_DOMAINS_TASK}`;

/**
 * Asks for a check run now (`POST …/domains/{name}/verify`), in the caller's transaction. One
 * pending job for all: a burst of requests is one run.
 */
export async function enqueueDomainVerification(db: PanelDb): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${VERIFY_DOMAINS_TASK},
    '{}'::json,
    job_key => 'verify-domains',
    job_key_mode => 'replace',
    max_attempts => 5
  )`.execute(db);
}
