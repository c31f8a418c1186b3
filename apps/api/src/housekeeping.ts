import type { PanelDatabase } from '@hostplane/db';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { ApiConfig } from './config.ts';

/** Idempotency keys answer retries for a day (what billing systems retry within), then go. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Deletes expired sessions, old idempotency keys and login failures outside the throttle window. */
export async function purgeExpiredRows(db: Kysely<PanelDatabase>, config: ApiConfig): Promise<number> {
  const results = await Promise.all([
    db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst(),
    db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`)
      .executeTakeFirst(),
    db
      .deleteFrom('login_failures')
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${config.loginWindowSeconds})`)
      .executeTakeFirst(),
  ]);
  return results.reduce((n, r) => n + Number(r.numDeletedRows), 0);
}

/** Runs the purge every 10 minutes in each API replica (the deletes are idempotent); stops on close. */
export function schedulePurge(
  db: Kysely<PanelDatabase>,
  config: ApiConfig,
  log: FastifyBaseLogger,
): () => void {
  const timer = setInterval(() => {
    purgeExpiredRows(db, config).then(
      (n) =>
        n > 0 && log.info({ deleted: n }, 'purged expired sessions, idempotency keys and login failures'),
      (err: unknown) => log.error({ err }, 'purge of expired rows failed; retried in 10 minutes'),
    );
  }, 10 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
