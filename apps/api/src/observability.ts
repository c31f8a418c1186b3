import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Reuses a caller's x-request-id when it is sane, so logs join up across services. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Request id header, one log line per request and the latency histogram by route and status. */
export function registerObservability(app: FastifyInstance, registry: Registry): void {
  const existing = registry.getSingleMetric('hostplane_http_request_duration_seconds');
  const histogram =
    (existing as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
    new Histogram({
      name: 'hostplane_http_request_duration_seconds',
      help: 'HTTP request latency of the panel API by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    histogram.observe({ method: req.method, route, status_code: String(reply.statusCode) }, seconds);
    req.log.info(
      {
        method: req.method,
        route,
        url: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
}
