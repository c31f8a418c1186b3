// The reconciler process: graphile-worker's runner with the reconcile and resync tasks, the sweep
// that releases jobs of dead workers (pool-liveness.ts), and the change feeds (watches) that ask
// for a customer's pass when its observed state moves.
import { EventEmitter } from 'node:events';
import { loadCustomerSnapshot } from '@hostplane/db';
import { openSnapshotSecrets } from '@hostplane/domain';
import {
  type BackoffPolicy,
  type ChangeFeed,
  changeFeedMetrics,
  type LoadSnapshot,
  type PanelDb,
  RESYNC_CRONTAB,
  type RunningChangeFeeds,
  reconcileMetrics,
  reconcileTaskList,
  registerQueueDepthGauge,
  startChangeFeeds,
  type Target,
  VERIFY_DOMAINS_CRONTAB,
  VERIFY_DOMAINS_TASK,
} from '@hostplane/reconcile';
import { type Runner, run, type TaskList, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type DomainVerifierDeps, verifyDueDomains } from './domain-verification.ts';
import { graphileLogger } from './graphile-logger.ts';
import { PoolLiveness } from './pool-liveness.ts';

export interface WorkerDeps {
  /** The pool graphile-worker uses; or a connection string, then the worker makes (and ends) its own. */
  pgPool?: pg.Pool;
  connectionString?: string;
  db: PanelDb;
  targets: readonly Target[];
  logger: Logger;
  registry: Registry;
  /** Jobs run at once by this process (different customers); default 4. */
  concurrency?: number;
  /** Every customer is reconciled at least once per this period; default 10. */
  resyncMinutes?: number;
  /** Default: loadCustomerSnapshot of @hostplane/db, its sealed values opened with secretKey. */
  loadSnapshot?: LoadSnapshot;
  /** SECRET_KEY: opens the values the API sealed (site database passwords). */
  secretKey?: string;
  backoff?: BackoffPolicy;
  requeueDelayMs?: number;
  targetTimeoutMs?: number;
  random?: () => number;
  /** How often to look for jobs of dead workers; default 30 s. */
  lockSweepMs?: number;
  /** Locks younger than this are never swept; default 30 s. */
  lockGraceMs?: number;
  /** On stop(), in-flight passes get this long before their abort signal fires; default 5 s. */
  shutdownAbortMs?: number;
  /** graphile-worker's poll interval for future jobs (retries); default 1 s. */
  pollIntervalMs?: number;
  /** Domain ownership checks (through a recursive resolver); none without it. */
  domainVerifier?: Omit<DomainVerifierDeps, 'db' | 'logger'>;
  /**
   * Watches of observed state (the sites' Deployments and pods): a change the status depends on asks
   * for the customer's pass at once. Only the worker runs them; an API replica never does.
   */
  changeFeeds?: readonly ChangeFeed[];
  /** Watch events of one customer within this window become one pass; default 1 s. */
  changeCoalesceMs?: number;
}

export interface RunningWorker {
  /** Stops taking jobs, lets in-flight passes finish (aborted ones are released for a retry), closes. */
  stop(): Promise<void>;
  /** Settles when the worker ends: by stop(), or by a failure the caller should exit on. */
  done: Promise<void>;
}

function connectionOf(deps: WorkerDeps): { pool: pg.Pool; owned: boolean } {
  if (deps.pgPool) return { pool: deps.pgPool, owned: false };
  if (!deps.connectionString) throw new Error('startWorker: pgPool or connectionString is required');
  const pool = new pg.Pool({ connectionString: deps.connectionString, max: (deps.concurrency ?? 4) + 2 });
  // An idle client's error (the server restarted) must not crash the process: it is logged, and the
  // next checkout connects again; a checked-out client's error still surfaces in its query.
  const onIdleError = (err: Error) =>
    deps.logger.warn({ err: err.message }, 'worker database: an idle connection failed');
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', onIdleError));
  return { pool, owned: true };
}

/** loadCustomerSnapshot with the sealed values opened, so targets see what they must write. */
export function openingSnapshotLoader(secretKey: string | undefined): LoadSnapshot {
  return (async (db: Parameters<typeof loadCustomerSnapshot>[0], id: number) => {
    const snapshot = await loadCustomerSnapshot(db, id);
    return snapshot && openSnapshotSecrets(snapshot, secretKey);
  }) as LoadSnapshot;
}

function taskListOf(deps: WorkerDeps): TaskList {
  const tasks = reconcileTaskList({
    db: deps.db,
    targets: deps.targets,
    loadSnapshot: deps.loadSnapshot ?? openingSnapshotLoader(deps.secretKey),
    logger: deps.logger,
    metrics: reconcileMetrics(deps.registry),
    backoff: deps.backoff,
    requeueDelayMs: deps.requeueDelayMs,
    targetTimeoutMs: deps.targetTimeoutMs,
    random: deps.random,
    resyncMinutes: deps.resyncMinutes ?? 10,
  });
  const verifier = deps.domainVerifier;
  if (!verifier) return tasks;
  const verifierDeps: DomainVerifierDeps = {
    ...verifier,
    db: deps.db,
    logger: deps.logger.child({ component: 'domain-verification' }),
  };
  return {
    ...tasks,
    [VERIFY_DOMAINS_TASK]: async (_payload, helpers) => {
      await verifyDueDomains(verifierDeps, helpers.abortSignal);
    },
  };
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const logger = deps.logger.child({ component: 'worker' });
  const { pool, owned } = connectionOf(deps);
  let failed: ((err: Error) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  failure.catch(() => {}); // observed through `done`
  const onLost = (err: Error) => {
    logger.error({ err }, 'presence connection lost; stopping this worker so no job runs twice');
    failed?.(err);
  };
  let liveness: PoolLiveness | undefined;
  let runner: Runner;
  try {
    liveness = await PoolLiveness.open(
      pool.options,
      deps.db,
      logger,
      { graceMs: deps.lockGraceMs ?? 30_000 },
      onLost,
    );
    const presence = liveness;
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => {
      presence.announce(workerPool.id).catch((err: Error) => failed?.(err));
    });
    registerQueueDepthGauge(deps.registry, deps.db);
    await liveness.sweep(); // a customer whose worker was killed converges now, not in 4 hours
    runner = await run({
      pgPool: pool,
      taskList: taskListOf(deps),
      crontab: deps.domainVerifier ? `${RESYNC_CRONTAB}\n${VERIFY_DOMAINS_CRONTAB}` : RESYNC_CRONTAB,
      concurrency: deps.concurrency ?? 4,
      pollInterval: deps.pollIntervalMs ?? 1_000,
      noHandleSignals: true, // the process owner (hostplane serve) handles signals and calls stop()
      gracefulShutdownAbortTimeout: deps.shutdownAbortMs ?? 5_000,
      logger: graphileLogger(deps.logger),
      events,
    });
  } catch (err) {
    await liveness?.close().catch(() => {});
    if (owned) await pool.end().catch(() => {});
    throw err;
  }
  const presence = liveness;
  let feeds: RunningChangeFeeds | undefined;
  try {
    if (deps.changeFeeds?.length)
      feeds = await startChangeFeeds({
        db: deps.db,
        feeds: deps.changeFeeds,
        log: logger.child({ component: 'watch' }),
        metrics: changeFeedMetrics(deps.registry),
        coalesceMs: deps.changeCoalesceMs,
      });
  } catch (err) {
    await runner.stop().catch(() => {});
    await presence.close().catch(() => {});
    if (owned) await pool.end().catch(() => {});
    throw err;
  }
  const sweeper = setInterval(() => {
    presence.sweep().catch((err: Error) => logger.error({ err }, 'sweep of dead worker locks failed'));
  }, deps.lockSweepMs ?? 30_000);
  sweeper.unref();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(sweeper);
      try {
        // First the watches (no new passes asked), then the runner (in-flight passes finish).
        await feeds?.stop();
        await runner.stop();
      } finally {
        await presence.close();
        if (owned) await pool.end();
      }
      logger.info('worker stopped');
    })();
    return stopping;
  };
  const done = Promise.race([runner.promise, failure]).catch(async (err: Error) => {
    await stop().catch(() => {});
    throw err;
  });
  logger.info(
    { concurrency: deps.concurrency ?? 4, resyncMinutes: deps.resyncMinutes ?? 10 },
    'worker started',
  );
  return { stop, done };
}
