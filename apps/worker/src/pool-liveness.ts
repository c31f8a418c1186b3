// Prompt recovery of jobs locked by a worker process that died (SIGKILL, OOM, lost node).
//
// graphile-worker 0.17 marks a taken job (and its queue, here: the customer) with
// `locked_by = <worker pool id>` and only considers such a lock stale after a hard-coded 4 hours
// (sql/resetLockedAt.js; `minResetLockedInterval` only tunes how often that scan runs). A killed
// worker's customer would wait 4 hours for its next pass, its whole queue blocked behind the lock.
//
// We cannot simply unlock "jobs locked longer than N minutes": a slow but alive pass would then
// run twice at once. Instead each process proves its pools are alive: it holds a session-level
// PostgreSQL advisory lock keyed by each pool id on a dedicated connection. PostgreSQL releases
// it the moment that session ends (process killed → socket closed; lost host → TCP keepalive).
// A sweep (at start-up and every `sweepMs`) takes the pool ids holding our jobs for longer than
// `graceMs` (covering the few ms between a pool's creation and its announcement); when it can take
// a pool's advisory lock itself, nobody holds it: the pool is dead and
// `graphile_worker.force_unlock_workers` (graphile-worker's public function) releases its jobs and
// queues. The job keeps its attempt count and runs again right away. Its pass is idempotent, so
// re-running a half-done pass is safe.

import type { PanelDb } from '@hostplane/reconcile';
import { RECONCILE_TASK, RESYNC_TASK } from '@hostplane/reconcile';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

/** Advisory lock namespace (first key) of worker pools' presence locks: "HPWP" in ASCII. */
export const POOL_LOCK_CLASS = 0x48505750;

export interface PoolLivenessOptions {
  /** Jobs locked more recently than this are never swept; default 30 s. */
  graceMs: number;
}

export class PoolLiveness {
  private readonly ownPools = new Set<string>();
  private lost = false;

  private constructor(
    private readonly presence: pg.Client,
    private readonly db: PanelDb,
    private readonly logger: Logger,
    private readonly opts: PoolLivenessOptions,
  ) {}

  /**
   * Opens the presence connection. `onLost` runs when it breaks: our locks are gone then, so other
   * workers may take our jobs; the caller must stop this worker.
   */
  static async open(
    connection: pg.ClientConfig,
    db: PanelDb,
    logger: Logger,
    opts: PoolLivenessOptions,
    onLost: (err: Error) => void,
  ): Promise<PoolLiveness> {
    const presence = new pg.Client({ ...connection, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    await presence.connect();
    // The server side notices a vanished host within about a minute instead of the OS default of hours.
    await presence.query(
      "set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3; set application_name = 'hostplane-worker-presence'",
    );
    const liveness = new PoolLiveness(presence, db, logger, opts);
    const lose = (err: Error) => {
      if (liveness.lost) return;
      liveness.lost = true;
      onLost(err);
    };
    presence.on('error', lose);
    presence.on('end', () => lose(new Error('presence connection closed')));
    return liveness;
  }

  /** Marks a pool of this process alive until close(). */
  async announce(poolId: string): Promise<void> {
    this.ownPools.add(poolId);
    await this.presence.query('select pg_advisory_lock($1::int, hashtext($2))', [POOL_LOCK_CLASS, poolId]);
  }

  /** Releases the jobs of dead pools; returns their ids. */
  async sweep(): Promise<string[]> {
    const own = [...this.ownPools];
    const graceSeconds = this.opts.graceMs / 1000;
    const dead = await this.db.transaction().execute(async (trx) => {
      // pg_try_advisory_xact_lock succeeds only when no live session holds the pool's presence lock;
      // it is released again when this transaction ends.
      const { rows } = await sql<{ locked_by: string }>`
        select locked_by from (
          select distinct locked_by from graphile_worker.jobs
          where locked_by is not null
            and locked_at < now() - make_interval(secs => ${graceSeconds})
            and task_identifier in (${RECONCILE_TASK}, ${RESYNC_TASK})
            and not (locked_by = any(${own}::text[]))
        ) candidates
        where pg_try_advisory_xact_lock(${POOL_LOCK_CLASS}::int, hashtext(locked_by))`.execute(trx);
      const ids = rows.map((r) => r.locked_by);
      if (ids.length > 0) await sql`select graphile_worker.force_unlock_workers(${ids}::text[])`.execute(trx);
      return ids;
    });
    if (dead.length > 0) this.logger.warn({ pools: dead }, 'released jobs of dead worker pools');
    return dead;
  }

  async close(): Promise<void> {
    this.lost = true; // a deliberate close is not a loss
    await this.presence.end();
  }
}
