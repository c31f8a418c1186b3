import { type PanelDatabase, purgeExpiredAuthRows } from '@hostplane/db';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { ApiConfig } from './config.ts';

/** Idempotency keys answer retries for a day (what billing systems retry within), then go. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Deletes expired sessions, old idempotency keys and login failures outside the throttle window. */
export function purgeExpiredRows(db: Kysely<PanelDatabase>, config: ApiConfig): Promise<number> {
  return purgeExpiredAuthRows(db, {
    idempotencyHours: IDEMPOTENCY_RETENTION_HOURS,
    loginWindowSeconds: config.loginWindowSeconds,
  });
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
