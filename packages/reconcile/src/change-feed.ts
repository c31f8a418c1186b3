// Change feeds: sources outside the panel's database (a Kubernetes watch) that say "this customer's
// observed state moved", so its pass runs now instead of at the periodic resync. The worker runs
// them; the API never does. A burst of events of one customer (a pod's Ready flips, then its
// Deployment's counts) is coalesced into one pass by a short per-customer delay, and the job key of
// enqueueReconcile de-duplicates against a pass already pending.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { PanelDb } from './db.ts';
import { enqueueReconcile } from './enqueue.ts';

/** What a feed reports to the worker. */
export interface ChangeSink {
  /** An object of this customer changed in a way its status depends on. */
  changed(customerId: number, what: { kind: string; namespace: string; name: string }): void;
  /** An event that changed nothing the status reads (counted, not acted on). */
  ignored(kind: string): void;
  /** The feed's watch failed; it starts again by itself after `retryInMs`. */
  failed(kind: string, err: unknown, retryInMs: number): void;
  /** A (re)list was taken in: from now on every change of this kind is seen. */
  synced(kind: string): void;
}

export interface ChangeFeed {
  name: string;
  /** Starts watching; resolves once the watches are started (their first list may still run). */
  start(sink: ChangeSink): Promise<void>;
  /** Stops every watch and pending restart; no sink call follows. */
  stop(): Promise<void>;
}

export interface ChangeFeedMetrics {
  events: Counter<'feed' | 'kind' | 'outcome'>;
  errors: Counter<'feed' | 'kind'>;
  synced: Gauge<'feed' | 'kind'>;
}

export function changeFeedMetrics(registry: Registry): ChangeFeedMetrics {
  const events =
    (registry.getSingleMetric('hostplane_watch_events_total') as Counter<'feed' | 'kind' | 'outcome'>) ??
    new Counter({
      name: 'hostplane_watch_events_total',
      help: 'Watch events of the worker by outcome: changed (the customer gets a pass) or ignored',
      labelNames: ['feed', 'kind', 'outcome'],
      registers: [registry],
    });
  const errors =
    (registry.getSingleMetric('hostplane_watch_errors_total') as Counter<'feed' | 'kind'>) ??
    new Counter({
      name: 'hostplane_watch_errors_total',
      help: 'Watch failures of the worker (each is followed by a restart after a backoff)',
      labelNames: ['feed', 'kind'],
      registers: [registry],
    });
  const synced =
    (registry.getSingleMetric('hostplane_watch_synced') as Gauge<'feed' | 'kind'>) ??
    new Gauge({
      name: 'hostplane_watch_synced',
      help: 'Unix time of the last list a watch of the worker took in (0: not yet synced)',
      labelNames: ['feed', 'kind'],
      registers: [registry],
    });
  return { events, errors, synced };
}

interface FeedLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ChangeFeedRunnerDeps {
  db: PanelDb;
  feeds: readonly ChangeFeed[];
  log: FeedLog;
  metrics: ChangeFeedMetrics;
  /** Events of one customer within this window become one pass; default 1 s. */
  coalesceMs?: number;
}

export interface RunningChangeFeeds {
  stop(): Promise<void>;
}

/**
 * Starts the feeds; each change asks for a change pass of its customer (mode `replace`: like a
 * mutation, an observed change is acted on now, even when a retry after a failure is pending later;
 * controller-runtime's workqueue does the same with an event of an item that is backing off).
 */
export async function startChangeFeeds(deps: ChangeFeedRunnerDeps): Promise<RunningChangeFeeds> {
  const coalesceMs = deps.coalesceMs ?? 1_000;
  const pending = new Map<number, NodeJS.Timeout>();
  let stopped = false;
  const enqueue = (customerId: number) => {
    pending.delete(customerId);
    if (stopped) return;
    enqueueReconcile(deps.db, customerId).catch((err: unknown) =>
      // The resync still reaches the customer; the next event tries again.
      deps.log.error({ err, customerId }, 'watch: could not enqueue a pass'),
    );
  };
  const sinkOf = (feed: string): ChangeSink => ({
    changed(customerId, what) {
      if (stopped) return;
      deps.metrics.events.inc({ feed, kind: what.kind, outcome: 'changed' });
      deps.log.debug({ customerId, ...what }, 'watch: observed status changed');
      if (pending.has(customerId)) return;
      const timer = setTimeout(() => enqueue(customerId), coalesceMs);
      timer.unref();
      pending.set(customerId, timer);
    },
    ignored(kind) {
      if (!stopped) deps.metrics.events.inc({ feed, kind, outcome: 'ignored' });
    },
    synced(kind) {
      if (!stopped) deps.metrics.synced.set({ feed, kind }, Date.now() / 1000);
    },
    failed(kind, err, retryInMs) {
      if (stopped) return;
      deps.metrics.errors.inc({ feed, kind });
      deps.log.warn(
        { feed, kind, err: err instanceof Error ? err.message : String(err), retryInMs },
        'watch failed; restarting after a backoff',
      );
    },
  });
  const started: ChangeFeed[] = [];
  try {
    for (const feed of deps.feeds) {
      await feed.start(sinkOf(feed.name));
      started.push(feed);
    }
  } catch (err) {
    stopped = true;
    await Promise.allSettled(started.map((f) => f.stop()));
    throw err;
  }
  deps.log.info({ feeds: deps.feeds.map((f) => f.name), coalesceMs }, 'watches started');
  return {
    async stop() {
      stopped = true;
      await Promise.allSettled(deps.feeds.map((f) => f.stop()));
      // A change seen just before the stop still gets its pass (by another worker, or after a restart).
      const waiting = [...pending.keys()];
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      await Promise.allSettled(waiting.map((id) => enqueueReconcile(deps.db, id)));
    },
  };
}
