// `npm test`: setup, the local stack up when it is not (and down again afterwards, leaving it as it
// was found), then `vitest run` over both projects (unit and integration). Exits with vitest's code.
// Extra arguments go to vitest: `npm test -- packages/localstack`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  listPidRecords,
  resolveStateDir,
  StackComponentError,
  stackDown,
  stackStatus,
  stackUp,
  statePaths,
} from '@hostplane/localstack';
import { repoRoot } from '@hostplane/testing';
import { runSetup } from './setup.ts';

function runVitest(args: string[]): Promise<number> {
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'vitest');
  const child = spawn(bin, ['run', ...args], { stdio: 'inherit', cwd: repoRoot });
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
  const { stackComponents } = await import('@hostplane/localstack');
  await stackDown({ only: stackComponents.filter((c) => started.includes(c.name)) });
}

/**
 * The unit and integration projects unless the caller names a project: the `node` project needs the
 * real-node profile and built images (`npm run test:node`), which this stack (kwok) does not run.
 */
function vitestArgs(args: string[]): string[] {
  if (args.some((a) => a === '--project' || a.startsWith('--project='))) return args;
  return ['--project', 'unit', '--project', 'integration', ...args];
}

async function main(): Promise<number> {
  const { localcluster } = await runSetup();
  const wasDown = (await stackStatus()).every((s) => !s.running);
  let started: string[];
  try {
    started = await ensureStackUp(localcluster, wasDown);
  } catch (err) {
    if (!(err instanceof StackComponentError)) throw err;
    console.error(`npm test: the local stack did not come up: ${err.message}`);
    if (wasDown) await stackDown();
    return 1;
  }
  let code = 1;
  try {
    code = await runVitest(vitestArgs(process.argv.slice(2)));
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
