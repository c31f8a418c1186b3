// `npm test`: setup (Go programs and the node's images, cached), the local stack up when it is not
// (and down again afterwards, leaving it as it was found), then two phases:
//   1. `vitest run` over the unit and integration projects on the kwok profile (fake node);
//   2. the `node` project on the real node: the stack's node switches to HOSTPLANE_STACK_NODE=real
//      (scripts/test-node.ts in a child process, since the profile is read when the stack module loads).
// Phase 2 runs when this run brought the stack up, or when the stack it found already runs the real
// node; a developer's own kwok stack is left as it is unless `--project node` is asked for
// (`npm run test:node`), which switches it to the real node.
// When both phases run and this process may create network namespaces (root, iproute2), phase 2 does
// not wait for phase 1: it runs at the same time on a second stack of its own (state folder
// `<state>-node`, real node from the start) inside a network namespace this run creates, since the
// stack's ports are fixed. Most of both phases is waiting (containers starting, the apiserver's
// controllers, Velero, mail delivery), so on two cores the whole run takes about as long as the
// longer phase instead of their sum. HOSTPLANE_TEST_PARALLEL=0 runs them one after the other.
// Exits non-zero when a phase fails. Extra arguments go to vitest: `npm test -- packages/localstack`;
// `--project X` runs only that project (node → only phase 2).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  listPidRecords,
  realNodeComponents,
  resolveStateDir,
  StackComponentError,
  stackComponents,
  stackDown,
  stackStatus,
  stackUp,
  statePaths,
} from '@hostplane/localstack';
import { repoRoot } from '@hostplane/testing';
import { prefixLines } from './child-output.ts';
import { missingMachinePrograms, runSetup } from './setup.ts';
import { splitProjects, testPhases } from './test-phases.ts';

function runChild(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(bin, args, { stdio: 'inherit', cwd: repoRoot, env });
  // Ctrl-C reaches vitest (same terminal group); this process stays to take the stack down.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

/** Brings up what is not running; returns the components this run started (to stop them afterwards). */
async function ensureStackUp(localcluster: string, wasDown: boolean): Promise<string[]> {
  const before = await stackStatus();
  if (before.every((s) => s.healthy)) {
    console.log('local stack already up: tests run against it and leave it up');
    return [];
  }
  console.log(
    `bringing the local stack up for the tests (${wasDown ? 'taken down' : 'what was missing is stopped'} afterwards)`,
  );
  const result = await stackUp({ localclusterBinary: localcluster });
  return result.components.filter((c) => c.started).map((c) => c.name);
}

async function restoreStack(started: string[], wasDown: boolean): Promise<void> {
  if (started.length === 0) return;
  console.log('taking the local stack down again (it was not up before the tests)');
  if (wasDown) {
    await stackDown();
    const left = listPidRecords(statePaths(resolveStateDir()));
    if (left.length > 0)
      throw new Error(
        `processes of the stack still recorded after down: ${left.map((r) => r.name).join(', ')}`,
      );
    return;
  }
  await stackDown({ only: stackComponents.filter((c) => started.includes(c.name)) });
}

function seconds(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)} s`;
}

function runVitest(args: string[]): Promise<number> {
  return runChild(path.join(repoRoot, 'node_modules', '.bin', 'vitest'), ['run', ...args]);
}

/** Phase 2 in a child process under HOSTPLANE_STACK_NODE=real (it switches the stack's node). */
function runNodePhase(vitestArgs: string[]): Promise<number> {
  return runChild(
    path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [path.join(repoRoot, 'scripts', 'test-node.ts'), ...vitestArgs],
    { ...process.env, HOSTPLANE_STACK_NODE: 'real' },
  );
}

/** Whether phase 2 can run beside phase 1 in a network namespace of its own (root and iproute2). */
function canIsolateNodePhase(): boolean {
  if (process.env.HOSTPLANE_TEST_PARALLEL === '0') return false;
  if (process.getuid?.() !== 0) return false;
  return spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
}

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}

/**
 * Phase 2 on a stack of its own: a fresh state folder beside the main one, the real node from the start,
 * inside a network namespace made for this run (deleted afterwards, with the folder when it passed).
 */
async function runIsolatedNodePhase(vitestArgs: string[]): Promise<number> {
  const stateDir = resolveStateDir();
  const nodeStateDir = `${stateDir}-node`;
  const netns = `hostplane-test-${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`;
  spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  ip(['netns', 'add', netns]);
  let code = 1;
  try {
    ip(['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    console.log(
      `phase 2 (node tests, real containers) runs now beside phase 1: stack ${nodeStateDir}, network namespace ${netns}; its lines start with [node]`,
    );
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'env',
        `HOSTPLANE_STACK_DIR=${nodeStateDir}`,
        'HOSTPLANE_STACK_NODE=real',
        path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
        path.join(repoRoot, 'scripts', 'test-node.ts'),
        '--own-stack',
        ...vitestArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot },
    );
    const ignore = () => {};
    process.on('SIGINT', ignore);
    const copied = Promise.all([
      prefixLines(child.stdout, process.stdout, '[node] '),
      prefixLines(child.stderr, process.stderr, '[node] '),
    ]);
    code = await new Promise<number>((resolve) => {
      child.on('close', (exit, signal) => resolve(exit ?? (signal ? 130 : 1)));
    });
    await copied;
    process.off('SIGINT', ignore);
  } finally {
    spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  }
  // The node's imported images make the folder ~5 GB: kept only when something failed, for its logs.
  if (code === 0) rmSync(nodeStateDir, { recursive: true, force: true });
  else console.log(`phase 2 failed: its stack's logs are in ${nodeStateDir}/logs`);
  return code;
}

async function main(): Promise<number> {
  const phases = testPhases(process.argv.slice(2));
  // HOSTPLANE_TEST_NODE=0 skips the node phase (no real containers: a quicker local run). CI runs both.
  if (
    phases.node &&
    phases.kwok &&
    !splitProjects(process.argv.slice(2)).projects.includes('node') &&
    process.env.HOSTPLANE_TEST_NODE === '0'
  ) {
    console.log(
      'node tests (real containers) not in this run (HOSTPLANE_TEST_NODE=0): npm run test:node runs them',
    );
    delete phases.node;
  }
  if (phases.node) {
    const missing = missingMachinePrograms();
    if (missing.length > 0) {
      console.error(`npm test: the node tests need programs this machine lacks: ${missing.join('; ')}`);
      return 1;
    }
  }
  const { localcluster } = await runSetup({ images: phases.node !== undefined });
  const before = await stackStatus({ components: [...new Set([...stackComponents, ...realNodeComponents])] });
  const wasDown = before.every((s) => !s.running);
  const foundReal = before.some((s) => s.name === 'kubelet' && s.running);
  const askedForNode = splitProjects(process.argv.slice(2)).projects.includes('node');
  if (phases.node && !wasDown && !foundReal && !askedForNode && process.env.HOSTPLANE_STACK_NODE !== 'real') {
    console.log(
      'the running stack has the kwok node: node tests skipped (they switch the node; run npm run test:node)',
    );
    delete phases.node;
  }
  if (!phases.kwok) {
    const code = await runNodePhase(phases.node ?? []);
    if (wasDown) await stackDown();
    return code;
  }
  // Phase 2 beside phase 1 when it can have a stack of its own (see the top of this file).
  const beside = phases.node !== undefined && canIsolateNodePhase();
  const testsStarted = Date.now();
  // A failure to set phase 2 up (its network namespace, its stack) is its result, reported when it is
  // awaited after phase 1: phase 1 still runs.
  const nodeBeside =
    beside && phases.node
      ? runIsolatedNodePhase(phases.node).catch((err: unknown) => {
          console.error(`npm test (node): ${err instanceof Error ? err.message : String(err)}`);
          return 1;
        })
      : undefined;
  let started: string[];
  try {
    started = await ensureStackUp(localcluster, wasDown);
  } catch (err) {
    const message = err instanceof StackComponentError ? err.message : String(err);
    console.error(`npm test: the local stack did not come up: ${message}`);
    if (wasDown) await stackDown();
    if (nodeBeside) await nodeBeside;
    return 1;
  }
  let code = 1;
  try {
    const kwokStarted = Date.now();
    code = await runVitest(phases.kwok);
    const kwokSeconds = seconds(kwokStarted);
    if (nodeBeside) {
      console.log(
        `\nphase 1 (unit + integration, kwok) ${code === 0 ? 'passed' : 'FAILED'} in ${kwokSeconds}; waiting for phase 2 (node)`,
      );
      const nodeCode = await nodeBeside;
      console.log(
        `npm test: phase 1 (unit + integration, kwok) ${code === 0 ? 'passed' : 'FAILED'} in ${kwokSeconds}; ` +
          `phase 2 (node, its own stack beside phase 1) ${nodeCode === 0 ? 'passed' : 'FAILED'}; both in ${seconds(testsStarted)}`,
      );
      code = code || nodeCode;
    } else if (phases.node) {
      console.log(
        `\nnode tests on the real node (after the ${code === 0 ? 'passing' : 'FAILED'} unit and integration run, ${kwokSeconds})`,
      );
      const nodeStarted = Date.now();
      const nodeCode = await runNodePhase(phases.node);
      console.log(
        `npm test: phase 1 (unit + integration, kwok) ${code === 0 ? 'passed' : 'FAILED'} in ${kwokSeconds}; ` +
          `phase 2 (node: switch to the real node + node tests) ${nodeCode === 0 ? 'passed' : 'FAILED'} in ${seconds(nodeStarted)}`,
      );
      code = code || nodeCode;
    }
  } finally {
    await restoreStack(started, wasDown);
  }
  return code;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`npm test: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
