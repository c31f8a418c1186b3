// npm run bench:dns-steps [-- --zones N]
// Where the time of the DNS target's per-zone pass goes (issue 10): N change passes, each adding one
// zone to one customer (as the panel's queue runs them), interleaved with N direct creates (one POST
// per zone, same rrsets) so both see the same machine load. Each pass is split into its steps: the
// panel-database statements (applied fingerprints read, record written), each PowerDNS request by
// method, and the rest (the target's own work in Node: desired state, fingerprints, plan, verify).
// Real PowerDNS and PostgreSQL of the local stack (loadStackEnv; HOSTPLANE_STACK_DIR for another).
// `node --cpu-prof` on `tsx bench/dns-steps.ts` gives the CPU profile of the same passes.
// Each pass starts as the engine's does, with loadCustomerSnapshot (step `sql snapshot`), which also
// carries the DNS target's record of applied zones (issue 10). In the same run, a second customer's
// passes drop that record from the snapshot, so the target reads it itself (`sql applied (SELECT)`):
// the behaviour before, interleaved pass by pass with the same machine load.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dnsAppliedZonesStore, loadCustomerSnapshot } from '@hostplane/db';
import { type DomainRow, desiredZones, dnsPlatformConfigSchema } from '@hostplane/domain';
import {
  type AppliedZonesStore,
  createDnsTarget,
  type DnsLogger,
  PowerDnsClient,
  PowerDnsZones,
  zoneCreateBody,
} from '@hostplane/provisioner-dns';
import type { PassContext } from '@hostplane/reconcile';
import { loadStackEnv } from '@hostplane/testing';
import { pino } from 'pino';
import { scratchPanelDb } from './support/bench-panel-db.ts';
import { benchSnapshot as snapshot } from './support/dns-snapshot.ts';

const { values } = parseArgs({ options: { zones: { type: 'string', default: '50' } } });
const zoneCount = Number(values.zones);
const env = loadStackEnv();
const config = dnsPlatformConfigSchema.parse({
  nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
  publicIPv4: ['192.0.2.10'],
  publicIPv6: ['2001:db8::10'],
  mail: { host: 'mail.hostplane.test' },
});

/** Milliseconds per step of the current pass. */
let steps: Record<string, number> = {};
const add = (step: string, ms: number) => {
  steps[step] = (steps[step] ?? 0) + ms;
};
// The client reports each request's duration at debug level: that is the HTTP step.
const requestLog: DnsLogger = {
  debug: (obj: object) => {
    const o = obj as { method?: string; path?: string; ms?: number };
    if (o.method && o.ms !== undefined)
      add(`http ${o.method} ${o.path?.startsWith('/cache') ? 'flush' : 'zone'}`, o.ms);
  },
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const client = new PowerDnsClient({
  apiUrl: env.PDNS_API_URL,
  apiKey: env.PDNS_API_KEY,
  timeoutMs: 120_000,
  logger: requestLog,
});
const direct = new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY, timeoutMs: 120_000 });

const { db, planId, drop: dropScratch } = await scratchPanelDb(env.DATABASE_URL, 'bench_dns_steps');
const customerId = 982_001;
const directId = 982_002;
/** The customer whose passes read the record themselves (the behaviour before). */
const storeId = 982_003;
await db
  .insertInto('customers')
  .values(
    [customerId, directId, storeId].map((id) => ({
      id,
      name: `bench ${id}`,
      email: `bench-${id}@example.test`,
      plan_id: planId,
    })),
  )
  .execute();

async function timedStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    add(step, performance.now() - started);
  }
}
const realStore = dnsAppliedZonesStore(db);
const store: AppliedZonesStore = {
  applied: (id) => timedStep('sql applied (SELECT)', () => realStore.applied(id)),
  record: (id, before, after) => timedStep('sql record (INSERT)', () => realStore.record(id, before, after)),
  forget: (id) => timedStep('sql forget', () => realStore.forget(id)),
};
const target = createDnsTarget({ zones: new PowerDnsZones(client), config, applied: store });
const log = pino({ level: 'silent' });
const ctx: PassContext = { signal: new AbortController().signal, log, pass: 'change' };
const tag = `s${Date.now().toString(36)}`;

function row(name: string): DomainRow {
  return { name, dns: true, mail: true, verified: true, dnssec: false, records: [], dkim: null };
}
type Mode = 'snapshot' | 'store';
const modes: Record<Mode, { id: number; rows: DomainRow[]; passes: Record<string, number>[] }> = {
  snapshot: { id: customerId, rows: [], passes: [] },
  store: { id: storeId, rows: [], passes: [] },
};
/** One change pass as the engine runs it: the snapshot (with or without the record), then the target. */
async function enginePass(mode: Mode, i: number): Promise<void> {
  const m = modes[mode];
  m.rows.push(row(`${tag}-${mode === 'snapshot' ? 't' : 's'}${i}.example`));
  steps = {};
  const started = performance.now();
  const loaded = await timedStep('sql snapshot', () => loadCustomerSnapshot(db, m.id));
  if (!loaded) throw new Error(`customer ${m.id} not found`);
  // The bench's domains are not rows of the scratch database: the snapshot's are replaced.
  const record = mode === 'snapshot' && loaded.dnsApplied ? { dnsApplied: loaded.dnsApplied } : {};
  const input = { ...snapshot(m.id, [...m.rows]), ...record };
  const outcome = await target.run(input, ctx);
  if (outcome.status !== 'True') throw new Error(`pass ${i}: ${outcome.reason} ${outcome.message}`);
  const total = performance.now() - started;
  const accounted = Object.values(steps).reduce((a, b) => a + b, 0);
  m.passes.push({ ...steps, 'node (target itself)': total - accounted, total });
}
const directMs: number[] = [];
for (let i = 0; i < zoneCount; i++) {
  // Direct: one POST, same rrsets as the target writes.
  const [zone] = desiredZones(snapshot(directId, [row(`${tag}-d${i}.example`)]), config);
  if (!zone) throw new Error('no desired zone');
  const started = performance.now();
  await direct.createZone(zoneCreateBody(zone));
  directMs.push(performance.now() - started);
  // Through the target: the customer's k-th zone, one change pass per mode (order alternates).
  const order: Mode[] = i % 2 === 0 ? ['snapshot', 'store'] : ['store', 'snapshot'];
  for (const mode of order) await enginePass(mode, i);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const directMean = mean(directMs);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `DNS per-zone pass, step by step: ${zoneCount} passes per mode against ${env.PDNS_API_URL}, Node ${process.version}, load average after ${load}`,
);
console.log(
  `direct POST per zone: mean ${directMean.toFixed(2)} ms, median ${median(directMs).toFixed(2)} ms`,
);
const labels: Record<Mode, string> = {
  snapshot: 'record in the snapshot (this change)',
  store: 'record read by the target (before)',
};
for (const mode of ['store', 'snapshot'] as const) {
  const { passes } = modes[mode];
  const totals = passes.map((p) => p.total ?? 0);
  const names = [...new Set(passes.flatMap((p) => Object.keys(p)))];
  console.log(`\n${labels[mode]}:`);
  for (const name of names) {
    const xs = passes.map((p) => p[name] ?? 0);
    console.log(
      `  ${name.padEnd(24)} mean ${mean(xs).toFixed(2).padStart(7)} ms  median ${median(xs).toFixed(2).padStart(7)} ms  (${((100 * mean(xs)) / mean(totals)).toFixed(0)}% of a pass)`,
    );
  }
  const snapshotMs = mean(passes.map((p) => p['sql snapshot'] ?? 0));
  console.log(
    `  ratio direct / pass: ${(directMean / mean(totals)).toFixed(2)} with the snapshot load, ${(directMean / (mean(totals) - snapshotMs)).toFixed(2)} target alone`,
  );
}

for (const m of Object.values(modes)) await target.run(snapshot(m.id, [], true), { ...ctx, pass: 'full' });
for (let i = 0; i < zoneCount; i++) await direct.deleteZone(`${tag}-d${i}.example`);
await dropScratch();
