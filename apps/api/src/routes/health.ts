import { sql } from 'kysely';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const statusAnswer = z.object({ status: z.string() });

export function healthRoutes(app: ApiInstance, { db, registry }: RouteDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'the process is alive', response: { 200: statusAnswer } },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'the database answers', response: { 200: statusAnswer } },
    },
    async () => {
      try {
        await sql`select 1`.execute(db);
      } catch (err) {
        throw new AppError(503, 'not-ready', 'Not ready', `database unavailable: ${(err as Error).message}`);
      }
      return { status: 'ready' };
    },
  );
  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'Prometheus metrics (text format)' },
    },
    async (_req, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}
