// The internal listener (METRICS_PORT): Prometheus metrics and the detailed readiness probe. Never
// on the public listener: metrics describe routes, queue depth and errors an outsider has no
// business reading, and the readiness detail names the database's failure.
import { createServer, type Server } from 'node:http';
import { type PanelDatabase, pingPanelDb } from '@hostplane/db';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';

export interface InternalServerDeps {
  db: Kysely<PanelDatabase>;
  registry: Registry;
}

async function readiness(db: Kysely<PanelDatabase>): Promise<{ ready: boolean; body: object }> {
  const started = performance.now();
  try {
    await pingPanelDb(db);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return { ready: true, body: { status: 'ready', checks: { database: { status: 'ok', ms } } } };
  } catch (err) {
    return {
      ready: false,
      body: {
        status: 'not ready',
        checks: { database: { status: 'failed', message: (err as Error).message } },
      },
    };
  }
}

/** A plain Node server (not listening yet): /healthz, /readyz (with per-check detail), /metrics. */
export function createInternalServer({ db, registry }: InternalServerDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { status: 'method not allowed' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      readiness(db).then(({ ready, body }) => json(ready ? 200 : 503, body));
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => json(500, { status: 'metrics failed', message: err.message }),
      );
      return;
    }
    json(404, { status: 'not found' });
  });
}

/** Listens on host:port; resolves once bound. */
export async function listenInternal(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
}
