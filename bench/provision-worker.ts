// The reconcile worker alone in its own process, for bench/provision.ts: its RSS is the worker's.
// Targets as `hostplane serve` assembles them (Customer + Kubernetes), the Kubernetes client with the
// panel service account's token. Answers {type:'stats'} over IPC with the client's request counters.
import { createPanelDb, poolOf, saveSiteStatuses } from '@hostplane/db';
import { parsePlatformConfig } from '@hostplane/platform';
import { createKubernetesTarget, DnsHostResolver, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { customerStatusTarget } from '@hostplane/reconcile';
import { startWorker } from '@hostplane/worker';
import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    KUBECONFIG: z.string().min(1),
    BENCH_PANEL_TOKEN: z.string().min(1),
    PDNS_DNS_ADDR: z.string().min(1),
    BENCH_STORAGE_CLASS: z.string().min(1),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(64),
  })
  .parse(process.env);

const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
const db = createPanelDb(env.DATABASE_URL, { max: env.BENCH_CONCURRENCY + 4 });
const kube = KubeHttpClient.fromToken(env.KUBECONFIG, env.BENCH_PANEL_TOKEN);
const config = parsePlatformConfig({
  storage: { storageClass: env.BENCH_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
  publicAddresses: { ipv4: ['203.0.113.10'] },
});
const kubernetes = createKubernetesTarget({
  kube,
  config,
  resolver: new DnsHostResolver(env.PDNS_DNS_ADDR),
  siteStatus: (customerId, generation, sites) => saveSiteStatuses(db, customerId, generation, sites),
});
const worker = await startWorker({
  // One pool for the worker and the status writes, as `hostplane serve` does.
  pgPool: poolOf(db),
  db,
  targets: [customerStatusTarget, kubernetes],
  logger,
  registry: new Registry(),
  concurrency: env.BENCH_CONCURRENCY,
  // The bench triggers its resync itself; the periodic one must not run in the middle.
  resyncMinutes: 1440,
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', ...kube.stats });
});
process.send?.({ type: 'ready' });
process.once('SIGTERM', () => {
  worker
    .stop()
    .then(() => db.destroy())
    .then(() => kube.close())
    .then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err }, 'worker stop failed');
        process.exit(1);
      },
    );
});
