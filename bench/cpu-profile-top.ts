// npx tsx bench/cpu-profile-top.ts FILE.cpuprofile [--top N] [--match TEXT]
// The top frames of a V8 CPU profile (node --cpu-prof, e.g. BENCH_SERVER_FLAGS of bench:api):
// self time per function, and inclusive time per function (a frame counted once per sample even
// when it recurses). `--match` keeps the inclusive list to frames whose function or file contains
// TEXT (e.g. `hostplane` for our own code). Prints plain text to paste into docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, match: { type: 'string' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: tsx bench/cpu-profile-top.ts FILE.cpuprofile [--top N] [--match TEXT]');
const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (id: number): string => {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [i, sample] of profile.samples.entries()) {
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  const name = label(sample);
  if (name.startsWith('(idle)') || name.startsWith('(program)')) idle += name.startsWith('(idle)') ? us : 0;
  self.set(name, (self.get(name) ?? 0) + us);
  const seen = new Set<string>();
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
    const l = label(id);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const busy = total - idle;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle)`);
console.log(`\ntop ${top} by self time (% of busy):`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms(us)} ${pct(us)}  ${name}`);
const match = values.match;
console.log(`\ntop ${top} by inclusive time${match ? ` (frames matching "${match}")` : ''}:`);
for (const [name, us] of [...inclusive]
  .filter(([name]) => !match || name.includes(match))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${ms(us)} ${pct(us)}  ${name}`);
