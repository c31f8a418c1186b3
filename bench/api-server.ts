// The API alone in its own process, for bench/api.ts: its RSS is then the API's, not the load
// generator's. Logs at info to stdout (the parent discards them), as a production replica would.
import { buildApp } from '@hostplane/api';
import { createPanelDb } from '@hostplane/db';

const url = process.env.BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT);
if (!url || !port) throw new Error('BENCH_DATABASE_URL and BENCH_PORT are required');
const db = createPanelDb(url, { max: 10 });
const app = await buildApp({ db, config: { logLevel: 'info' } });
await app.listen({ host: '127.0.0.1', port });
process.send?.({ ready: true });
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
