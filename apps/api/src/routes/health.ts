import { z } from 'zod';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const statusAnswer = z.object({ status: z.string() });

/**
 * The public listener answers only liveness. /readyz (with its detail) and /metrics are on the
 * internal listener (METRICS_PORT, internal-server.ts).
 */
export function healthRoutes(app: ApiInstance, _deps: RouteDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'the process is alive', response: { 200: statusAnswer } },
    },
    async () => ({ status: 'ok' }),
  );
}
