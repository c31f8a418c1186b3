// Phase 2 of `npm test` (scripts/test.ts runs it with HOSTPLANE_STACK_NODE=real): the stack's node
// becomes the real one (`stack up` restarts the volume provisioner for the real node, which pins volumes
// to the node that takes the pods; containerd, the kubelet, kube-proxy and CoreDNS come up, kwok's fake
// node gets its taint) and the `node` vitest project runs. Arguments go to vitest. Taking the stack down
// afterwards is the caller's business (it knows what it found), except with `--own-stack` (scripts/test.ts
// running phase 2 beside phase 1): then the stack is this run's alone — whatever a crashed earlier run
// left in its folder is stopped and wiped first, and the stack is taken down at the end.
// Without file filters the node files run in lanes at the same time (three; HOSTPLANE_TEST_NODE_LANES=N
// for N), then the files that need the node alone (scripts/node-lanes.ts says which and why).
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { nodeProfile, resolveStateDir, StackComponentError, stackDown, stackUp } from '@hostplane/localstack';
import { repoRoot } from '@hostplane/testing';
import { prefixLines } from './child-output.ts';
import { DEFAULT_LANES, planNodeLanes } from './node-lanes.ts';
import { splitProjects } from './test-phases.ts';

async function main(): Promise<number> {
  if (nodeProfile() !== 'real') throw new Error('run with HOSTPLANE_STACK_NODE=real');
  const ownStack = process.argv.includes('--own-stack');
  const vitestArgs = process.argv.slice(2).filter((a) => a !== '--own-stack');
  if (!ownStack) return runNodeTests(vitestArgs);
  await stackDown();
  rmSync(resolveStateDir(), { recursive: true, force: true });
  try {
    return await runNodeTests(vitestArgs);
  } finally {
    await stackDown();
  }
}

async function runNodeTests(vitestArgs: string[]): Promise<number> {
  // `stack up` switches a running kwok stack's node (the provisioner restarts for the real node).
  try {
    await stackUp();
  } catch (err) {
    if (!(err instanceof StackComponentError)) throw err;
    console.error(`npm test (node): the real node did not come up: ${err.message}`);
    return 1;
  }
  const { projects, rest } = splitProjects(vitestArgs);
  const filtered = rest.some((a) => !a.startsWith('-'));
  const count = Number(process.env.HOSTPLANE_TEST_NODE_LANES ?? DEFAULT_LANES);
  if (filtered || count === 1) return vitest(['run', ...vitestArgs]);
  const plan = planNodeLanes(nodeFiles(), Number.isInteger(count) && count > 0 ? count : DEFAULT_LANES);
  const flags = [...projects.flatMap((p) => ['--project', p]), ...rest];
  console.log(
    `node files in ${plan.lanes.length} lanes at once (scripts/node-lanes.ts), then alone: ${plan.alone.join(', ') || 'none'}\n` +
      plan.lanes.map((lane, i) => `  lane ${i + 1}: ${lane.join(', ')}`).join('\n'),
  );
  const started = Date.now();
  const codes = await Promise.all(
    plan.lanes.map((lane, i) =>
      lane.length === 0 ? 0 : vitest(['run', ...flags, ...lane], `[lane ${i + 1}] `),
    ),
  );
  console.log(
    `node lanes: ${codes.map((c, i) => `lane ${i + 1} ${c === 0 ? 'passed' : 'FAILED'}`).join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  let code = codes.find((c) => c !== 0) ?? 0;
  for (const file of plan.alone) code = (await vitest(['run', ...flags, file])) || code;
  return code;
}

/** The node project's files (the `node` project's include in vitest.config.ts), relative to the repo. */
function nodeFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.node.test.ts')) found.push(rel);
    }
  };
  walk('tests');
  for (const pkg of readdirSync(path.join(repoRoot, 'packages')))
    if (readdirSync(path.join(repoRoot, 'packages', pkg)).includes('src')) walk(`packages/${pkg}/src`);
  return found;
}

/** One vitest process; with a prefix its lines are copied with it (lanes write at once). */
function vitest(args: string[], prefix?: string): Promise<number> {
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'vitest');
  const child = spawn(bin, args, { stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit', cwd: repoRoot });
  const copied = prefix
    ? Promise.all([
        prefixLines(child.stdout!, process.stdout, prefix),
        prefixLines(child.stderr!, process.stderr, prefix),
      ])
    : Promise.resolve();
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      void copied.then(() => resolve(code ?? (signal ? 130 : 1)));
    });
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`npm test (node): ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
