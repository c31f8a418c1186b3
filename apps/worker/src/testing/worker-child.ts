// A worker process for worker-kill.int.test.ts: runs startWorker with one target that announces
// each pass on stdout ("PASS_STARTED <customerId> <pid>") and then takes HANG_MS, so the test can
// SIGKILL the process in the middle of a job. Stops gracefully on SIGTERM.
import { createPanelDb } from '@hostplane/db';
import type { Target } from '@hostplane/reconcile';
import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { startWorker } from '../start-worker.ts';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    HANG_MS: z.coerce.number().int().nonnegative(),
    LOCK_GRACE_MS: z.coerce.number().int().positive(),
    LOCK_SWEEP_MS: z.coerce.number().int().positive(),
  })
  .parse(process.env);

const hangingTarget: Target = {
  name: 'Kubernetes',
  async run(snapshot, ctx) {
    process.stdout.write(`PASS_STARTED ${snapshot.id} ${process.pid}\n`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, env.HANG_MS);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { status: 'True', reason: 'Ready', message: `converged by pid ${process.pid}`, changes: 1 };
  },
};

const db = createPanelDb(env.DATABASE_URL);
const worker = await startWorker({
  connectionString: env.DATABASE_URL,
  db,
  targets: [hangingTarget],
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  registry: new Registry(),
  concurrency: 2,
  pollIntervalMs: 100,
  lockGraceMs: env.LOCK_GRACE_MS,
  lockSweepMs: env.LOCK_SWEEP_MS,
});
process.stdout.write(`WORKER_READY ${process.pid}\n`);
process.once('SIGTERM', () => {
  worker
    .stop()
    .then(() => db.destroy())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
