// Phase 2 of `npm test` (scripts/test.ts runs it with HOSTPLANE_STACK_NODE=real): the stack's node
// becomes the real one (`stack up` restarts the volume provisioner for the real node, which pins volumes
// to the node that takes the pods; containerd, the kubelet, kube-proxy and CoreDNS come up, kwok's fake
// node gets its taint) and the `node` vitest project runs. Arguments go to vitest. Taking the stack down
// afterwards is the caller's business (it knows what it found), except with `--own-stack` (scripts/test.ts
// running phase 2 beside phase 1): then the stack is this run's alone — whatever a crashed earlier run
// left in its folder is stopped and wiped first, and the stack is taken down at the end.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { nodeProfile, resolveStateDir, StackComponentError, stackDown, stackUp } from '@hostplane/localstack';
import { repoRoot } from '@hostplane/testing';

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
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'vitest');
  const child = spawn(bin, ['run', ...vitestArgs], { stdio: 'inherit', cwd: repoRoot });
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`npm test (node): ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
