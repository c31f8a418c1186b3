// `npm run bench:stack`: figures of the local stack (issue 2). Prints the first build time of
// tools/localcluster (recorded by its build), the cold `stack up` (fresh state folder: initdb,
// certificates, schemas) and the warm one (same folder, processes stopped), then each component's
// resident memory once idle. Runs in its own state folder (.hostplane/bench-stack) so the developer's
// stack data is never purged; a running stack is stopped first (ports are fixed) and restarted after.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BuildRecord,
  ensureLocalcluster,
  listPidRecords,
  processFamily,
  stackDown,
  stackStatus,
  stackUp,
  statePaths,
  stillRunning,
} from '@hostplane/localstack';
import { repoRoot } from '@hostplane/testing';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const benchDir = path.join(repoRoot, '.hostplane', 'bench-stack');
const quiet = () => {};

function firstBuildSeconds(binary: string): string {
  const record = path.join(path.dirname(binary), 'build.json');
  if (!existsSync(record)) return 'not recorded (no build.json beside the cached binary)';
  const build = JSON.parse(readFileSync(record, 'utf8')) as Partial<BuildRecord>;
  if (typeof build.seconds !== 'number') return 'not recorded';
  // A build on a warm Go build cache only relinks: its seconds are not a first build's.
  const compiled = build.packagesCompiled ?? 0;
  const kind = compiled > 1000 ? 'cold Go cache' : 'warm Go cache, relink only';
  return `${build.seconds} s (${kind}: ${compiled} packages compiled, ${build.builtAt ?? '?'})`;
}

async function timedUp(localcluster: string): Promise<number> {
  const started = performance.now();
  await stackUp({ stateDir: benchDir, localclusterBinary: localcluster, say: quiet });
  return (performance.now() - started) / 1000;
}

/** Full `down`, then proof that no process of the stack is left (leaders, groups, descendants). */
async function downAndCheck(stateDir: string): Promise<number> {
  const families = listPidRecords(statePaths(stateDir)).map((r) => processFamily(r.pid));
  await stackDown({ stateDir, say: quiet });
  const left = stillRunning(families.flat());
  if (left.length > 0) throw new Error(`processes left after stack down: ${left.join(', ')}`);
  return families.flat().length;
}

function rssKiB(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function idleMemory(): Promise<Array<{ name: string; mib: number; processes: number }>> {
  const statuses = await stackStatus({ stateDir: benchDir });
  return statuses.map((s) => {
    const pids = s.pids.flatMap((pid) => processFamily(pid));
    const kib = pids.reduce((sum, pid) => sum + rssKiB(pid), 0);
    return { name: s.name, mib: kib / 1024, processes: pids.length };
  });
}

async function main(): Promise<void> {
  const { binary } = await ensureLocalcluster(console.log);
  const mainStackWasUp = (await stackStatus()).some((s) => s.running);
  if (mainStackWasUp) {
    console.log('stopping the running stack for the bench (ports are fixed); it is restarted afterwards');
    await stackDown({ say: quiet });
  }
  try {
    rmSync(benchDir, { recursive: true, force: true });
    const cold = await timedUp(binary);
    const stopped = await downAndCheck(benchDir);
    const warm = await timedUp(binary);
    console.log(`waiting ${IDLE_SECONDS} s for the stack to settle before reading memory`);
    await sleep(IDLE_SECONDS * 1000);
    const memory = await idleMemory();
    await downAndCheck(benchDir);

    const total = memory.reduce((sum, m) => sum + m.mib, 0);
    console.log('\n| figure | value |\n|---|---|');
    console.log(`| first build of tools/localcluster | ${firstBuildSeconds(binary)} |`);
    console.log(`| cold \`stack up\` (fresh state folder) | ${cold.toFixed(1)} s |`);
    console.log(`| warm \`stack up\` (data kept, processes stopped) | ${warm.toFixed(1)} s |`);
    console.log(`| processes stopped by \`stack down\`, none left | ${stopped} |`);
    console.log('\n| component | idle RSS (MiB) | processes |\n|---|---:|---:|');
    for (const m of memory) console.log(`| ${m.name} | ${m.mib.toFixed(0)} | ${m.processes} |`);
    console.log(`| **total** | **${total.toFixed(0)}** | ${memory.reduce((s, m) => s + m.processes, 0)} |`);
  } finally {
    rmSync(benchDir, { recursive: true, force: true });
    if (mainStackWasUp) await stackUp({ localclusterBinary: binary, say: quiet });
  }
}

try {
  await main();
} catch (err) {
  console.error(`bench:stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
