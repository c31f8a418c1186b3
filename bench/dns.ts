// npm run bench:dns [-- --zones N --changes M --others K [--keep-others]]
// --others K first creates K zones of another account on the server (the "10,000 other zones" case:
// a pass must not cost more because the server holds many zones it does not care about) and
// removes them at the end; the per-zone pass is then also measured with the target's zone index
// disabled (a listing of every zone on each pass, as before issue 10) in the same run.
// Figures of the DNS room against the local stack's PowerDNS (loadStackEnv; HOSTPLANE_STACK_DIR
// points it at another stack):
//   1. zones created per second through the DNS target (desired → observe → plan → apply → verify)
//      against direct PowerDNS API calls (one POST per zone, same rrsets) in the same run, and the ratio;
//   2. time from a record change (one reconcile pass of the DNS target) to the new answer over DNS,
//      p50/p99.
// Through the panel API (HTTP → PostgreSQL → queue → worker → target) comes with the API/worker
// issues; this measures the provisioner part of that path.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dnsAppliedZonesStore, loadCustomerSnapshot } from '@hostplane/db';
import { type DomainRow, desiredZones, dnsPlatformConfigSchema } from '@hostplane/domain';
import { createDnsTarget, PowerDnsClient, PowerDnsZones, zoneCreateBody } from '@hostplane/provisioner-dns';
import type { PassContext } from '@hostplane/reconcile';
import { answerTexts, loadStackEnv } from '@hostplane/testing';
import { pino } from 'pino';
import { scratchPanelDb } from './support/bench-panel-db.ts';
import { benchSnapshot as snapshot } from './support/dns-snapshot.ts';

const { values } = parseArgs({
  options: {
    zones: { type: 'string', default: '50' },
    changes: { type: 'string', default: '100' },
    others: { type: 'string', default: '0' },
    // Leaves the other zones on the server for the next run (creating 10,000 takes minutes).
    'keep-others': { type: 'boolean', default: false },
  },
});
const otherCount = Number(values.others);
const zoneCount = Number(values.zones);
const changeCount = Number(values.changes);

const env = loadStackEnv();
const config = dnsPlatformConfigSchema.parse({
  nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
  publicIPv4: ['192.0.2.10'],
  publicIPv6: ['2001:db8::10'],
  mail: { host: 'mail.hostplane.test' },
});
// A listing of 10,000 zones takes longer than the client's default 10 s on a loaded machine.
const client = new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY, timeoutMs: 120_000 });
const tag = `b${Date.now().toString(36)}`;
const customerIds = {
  direct: 980_001,
  target: 980_002,
  incremental: 980_003,
  latency: 980_004,
  full: 980_005,
  incrementalStore: 980_006,
};
const perCustomerId = (i: number) => 981_000 + i;

// The record of applied zones lives in the panel's database (as under `hostplane serve`): a scratch
// database on the stack's PostgreSQL, with customer rows for the ids the benchmark uses.
const { db, planId, drop: dropScratch } = await scratchPanelDb(env.DATABASE_URL, 'bench_dns');
const benchIds = [
  ...Object.values(customerIds),
  customerIds.incremental + 10,
  ...Array.from({ length: zoneCount }, (_, i) => perCustomerId(i)),
];
await db
  .insertInto('customers')
  .values(
    benchIds.map((id) => ({ id, name: `bench ${id}`, email: `bench-${id}@example.test`, plan_id: planId })),
  )
  .execute();

// As `hostplane serve` builds it: a change pass reads only the zones whose desired state moved.
const target = createDnsTarget({
  zones: new PowerDnsZones(client),
  config,
  applied: dnsAppliedZonesStore(db),
});
// The same target without its index: every pass lists every zone on the server (the old behaviour).
const listingTarget = createDnsTarget({ zones: new PowerDnsZones(client, { indexTtlMs: 0 }), config });
const log = pino({ level: 'silent' });
/** A pass a mutation asked for (the panel's case). */
const ctx: PassContext = { signal: new AbortController().signal, log, pass: 'change' };
/** A resync pass: reads every zone of the customer. */
const fullCtx: PassContext = { ...ctx, pass: 'full' };

function domains(prefix: string, count: number): DomainRow[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${tag}-${prefix}${i}.example`,
    dns: true,
    mail: true,
    verified: true,
    dnssec: false,
    records: [],
    dkim: null,
  }));
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function direct(): Promise<number> {
  const zones = desiredZones(snapshot(customerIds.direct, domains('d', zoneCount)), config);
  const seconds = await timed(async () => {
    for (const zone of zones) {
      await client.createZone(zoneCreateBody(zone));
    }
  });
  for (const zone of zones) await client.deleteZone(zone.name);
  return seconds;
}

/** N customers adding one domain each: one pass per customer, as the panel's queue would run them. */
async function perCustomer(): Promise<number> {
  const rows = domains('c', zoneCount);
  const seconds = await timed(async () => {
    for (const [i, row] of rows.entries()) await target.run(snapshot(perCustomerId(i), [row]), ctx);
  });
  for (const [i] of rows.entries()) await target.run(snapshot(perCustomerId(i), [], true), fullCtx);
  return seconds;
}

async function throughTarget(
  id: number,
  prefix: string,
  incremental: boolean,
  via: typeof target = target,
  passCtx: PassContext = ctx,
): Promise<number> {
  const rows = domains(prefix, zoneCount);
  const seconds = await timed(async () => {
    if (!incremental) return via.run(snapshot(id, rows), passCtx);
    for (let n = 1; n <= rows.length; n++) await via.run(snapshot(id, rows.slice(0, n)), passCtx);
  });
  await via.run(snapshot(id, [], true), fullCtx);
  return seconds;
}

/**
 * One change pass per added zone as the engine runs it: loadCustomerSnapshot (which carries the DNS
 * target's record of applied zones, issue 10), then the target. `store`: the record is dropped from
 * the snapshot, so the target reads it itself (the behaviour before this change). Returns the
 * seconds in all and the seconds of the snapshot loads.
 */
async function enginePasses(id: number, prefix: string, mode: 'snapshot' | 'store') {
  const rows = domains(prefix, zoneCount);
  let loading = 0;
  const seconds = await timed(async () => {
    for (let n = 1; n <= rows.length; n++) {
      const started = performance.now();
      const loaded = await loadCustomerSnapshot(db, id);
      loading += (performance.now() - started) / 1000;
      const record = mode === 'snapshot' && loaded?.dnsApplied ? { dnsApplied: loaded.dnsApplied } : {};
      // The bench's domains are not rows of the scratch database: the snapshot's are replaced.
      await target.run({ ...snapshot(id, rows.slice(0, n)), ...record }, ctx);
    }
  });
  await target.run(snapshot(id, [], true), fullCtx);
  return { seconds, loading };
}

let otherNames = Array.from({ length: otherCount }, (_, i) => `${tag}-other${i}.example`);
async function createOthers(): Promise<void> {
  if (otherCount === 0) return;
  // Zones of an interrupted earlier run are reused (creating 10,000 zones takes minutes).
  const left = (await client.listZones())
    .filter((z) => z.account === 'bench-other')
    .map((z) => z.name.replace(/\.$/, ''));
  otherNames = [...left, ...otherNames.slice(left.length)];
  for (const name of otherNames.slice(left.length))
    await client.createZone({
      name,
      kind: 'Native',
      account: 'bench-other',
      soa_edit_api: 'DEFAULT',
      api_rectify: false,
      dnssec: false,
      nameservers: ['ns1.hostplane.test.'],
      rrsets: [],
    });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function changeToAnswer(): Promise<{ p50: number; p99: number; passP50: number }> {
  const [row] = domains('lat', 1) as [DomainRow];
  const name = `app.${row.name}`;
  const total: number[] = [];
  const pass: number[] = [];
  await target.run(snapshot(customerIds.latency, [row]), ctx);
  for (let i = 0; i < changeCount; i++) {
    const ip = `198.51.100.${(i % 250) + 1}`;
    const changed = { ...row, records: [{ name, type: 'A' as const, ttl: 60, records: [ip] }] };
    const started = performance.now();
    await target.run(snapshot(customerIds.latency, [changed]), ctx);
    pass.push(performance.now() - started);
    while ((await answerTexts(env.PDNS_DNS_ADDR, name, 'A'))[0] !== ip) {
      if (performance.now() - started > 30_000) throw new Error(`no new answer for ${name} after 30 s`);
    }
    total.push(performance.now() - started);
  }
  await target.run(snapshot(customerIds.latency, [], true), fullCtx);
  total.sort((a, b) => a - b);
  pass.sort((a, b) => a - b);
  return { p50: percentile(total, 50), p99: percentile(total, 99), passP50: percentile(pass, 50) };
}

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const othersStarted = performance.now();
await createOthers();
const othersSeconds = (performance.now() - othersStarted) / 1000;
const directSeconds = await direct();
const targetSeconds = await throughTarget(customerIds.target, 't', false);
const incremental = await enginePasses(customerIds.incremental, 'i', 'snapshot');
const incrementalStore = await enginePasses(customerIds.incrementalStore, 's', 'store');
const perCustomerSeconds = await perCustomer();
const fullSeconds = await throughTarget(customerIds.full, 'f', true, target, fullCtx);
const listingSeconds =
  otherCount > 0 ? await throughTarget(customerIds.incremental + 10, 'l', true, listingTarget) : 0;
const latency = await changeToAnswer();
const rate = (s: number) => zoneCount / s;
const fmt = (n: number) => n.toFixed(1);
const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`Node ${process.version}, load average before ${loadBefore}, after ${loadAfter}`);
console.log(
  `DNS benchmark against PowerDNS at ${env.PDNS_API_URL} (DNS ${env.PDNS_DNS_ADDR}); ${zoneCount} zones, ${changeCount} changes, ${otherCount} other zones on the server (created in ${othersSeconds.toFixed(0)} s)`,
);
console.log(`zones/s direct PowerDNS API (one POST per zone):             ${fmt(rate(directSeconds))}`);
console.log(
  `zones/s DNS target, one pass creating all zones:             ${fmt(rate(targetSeconds))}  (ratio ${(rate(targetSeconds) / rate(directSeconds)).toFixed(2)})`,
);
for (const [label, run] of [
  ['record in the snapshot (as the panel)', incremental],
  ['record read by the target (before)', incrementalStore],
] as const) {
  const alone = run.seconds - run.loading;
  console.log(
    `zones/s one pass per added zone, ${label}: ${fmt(rate(run.seconds))} (ratio ${(rate(run.seconds) / rate(directSeconds)).toFixed(2)}) with the snapshot load; target alone ${fmt(rate(alone))} (ratio ${(rate(alone) / rate(directSeconds)).toFixed(2)})`,
  );
}
console.log(
  `zones/s one pass per added zone, full passes (what the resync reads): ${fmt(rate(fullSeconds))}  (ratio ${(rate(fullSeconds) / rate(directSeconds)).toFixed(2)})`,
);
console.log(
  `zones/s DNS target, ${zoneCount} customers adding one zone each: ${fmt(rate(perCustomerSeconds))}  (ratio ${(rate(perCustomerSeconds) / rate(directSeconds)).toFixed(2)})`,
);
if (otherCount > 0)
  console.log(
    `zones/s one pass per added zone, index off (a full listing per pass): ${fmt(rate(listingSeconds))}  (ratio ${(rate(listingSeconds) / rate(directSeconds)).toFixed(2)})`,
  );
console.log(
  `record change → new answer over DNS (UDP): p50 ${fmt(latency.p50)} ms, p99 ${fmt(latency.p99)} ms (reconcile pass alone p50 ${fmt(latency.passP50)} ms)`,
);
console.log(
  'through the panel API (HTTP → queue → worker): not measured yet, comes with the API/worker issues',
);

if (!values['keep-others']) for (const name of otherNames) await client.deleteZone(name);
await dropScratch();
