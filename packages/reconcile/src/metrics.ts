// Prometheus metrics of the reconciler. The registry comes from the composition root so the API
// and the worker in one process expose one /metrics.

import { sql } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PanelDb } from './db.ts';

export interface ReconcileMetrics {
  targetDuration: Histogram<'target'>;
  targetOutcomes: Counter<'target' | 'outcome'>;
  passDuration: Histogram<'result'>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/** Creates (or returns the already registered) reconcile metrics of a registry. */
export function reconcileMetrics(registry: Registry): ReconcileMetrics {
  const targetDuration =
    existing<Histogram<'target'>>(registry, 'hostplane_reconcile_duration_seconds') ??
    new Histogram({
      name: 'hostplane_reconcile_duration_seconds',
      help: 'Duration of one target during a reconcile pass',
      labelNames: ['target'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
  const targetOutcomes =
    existing<Counter<'target' | 'outcome'>>(registry, 'hostplane_reconcile_outcomes_total') ??
    new Counter({
      name: 'hostplane_reconcile_outcomes_total',
      help: 'Target results of reconcile passes: the condition status reported (True, False, Unknown) or Error when it threw',
      labelNames: ['target', 'outcome'],
      registers: [registry],
    });
  const passDuration =
    existing<Histogram<'result'>>(registry, 'hostplane_reconcile_pass_duration_seconds') ??
    new Histogram({
      name: 'hostplane_reconcile_pass_duration_seconds',
      help: 'Duration of a whole reconcile pass of one customer',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
  return { targetDuration, targetOutcomes, passDuration };
}

/**
 * Queue depth gauge, read from graphile-worker's jobs view at scrape time: `ready` (due, waiting
 * for a worker), `scheduled` (retries and requeues in the future), `running` (locked by a worker).
 * Registered once per registry, in API-only processes too.
 */
export function registerQueueDepthGauge(registry: Registry, db: PanelDb): void {
  const name = 'hostplane_queue_depth';
  if (registry.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Jobs in the reconcile queue by state (ready, scheduled, running)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ ready: string; scheduled: string; running: string }>`
        select count(*) filter (where locked_at is null and run_at <= now()) as ready,
               count(*) filter (where locked_at is null and run_at > now()) as scheduled,
               count(*) filter (where locked_at is not null) as running
        from graphile_worker.jobs
        where attempts < max_attempts`.execute(db);
      const counts = rows[0] ?? { ready: '0', scheduled: '0', running: '0' };
      this.set({ state: 'ready' }, Number(counts.ready));
      this.set({ state: 'scheduled' }, Number(counts.scheduled));
      this.set({ state: 'running' }, Number(counts.running));
    },
  });
}
