// Writes the panel API's OpenAPI document (as the server serves it at /api/v1/openapi.json) to a
// file, without a database: building the app connects to nothing until a request arrives.
// Usage: tsx scripts/openapi.ts [out.json]   (default: dist/openapi.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildApp } from '@hostplane/api';
import { createPanelDb } from '@hostplane/db';
import { pino } from 'pino';

const out = resolve(process.argv[2] ?? 'dist/openapi.json');
const db = createPanelDb('postgres://openapi@127.0.0.1:1/none', { max: 1 });
const app = await buildApp({ db, logger: pino({ level: 'silent' }) });
await app.ready();
const res = await app.inject({ url: '/api/v1/openapi.json' });
if (res.statusCode !== 200) throw new Error(`openapi.json answered ${res.statusCode}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(res.json(), null, 2)}\n`);
await app.close();
await db.destroy();
console.log(`wrote ${out}`);
