import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readUntil } from '@hostplane/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { Component } from './component.ts';
import { isRunning, listPidRecords, processFamily, stillRunning } from './processes.ts';
import { statePaths } from './state.ts';
import { StackComponentError, stackDown, stackStatus, stackUp } from './supervisor.ts';

// The supervisor's own mechanics with real processes (shell trees) in a private state folder and
// no ports: failure reporting, timeouts and that `down` leaves no process behind. The real
// services are covered by stack.int.test.ts.

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'hostplane-supervisor-'));
const quiet = () => {};

function shellComponent(name: string, script: string, healthy: () => Promise<boolean>): Component {
  return {
    name,
    dependsOn: [],
    prepare: async () => {},
    processes: () => [{ name, command: '/bin/sh', args: ['-c', script] }],
    healthy,
    address: () => `(${name})`,
  };
}

afterAll(async () => {
  await stackDown({ stateDir, components: [], say: quiet });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('supervisor mechanics', () => {
  it('a component whose process exits fails `up` with its log tail', async () => {
    const broken = shellComponent(
      'broken',
      'echo "cannot bind 127.0.0.1:1: boom"; exit 3',
      async () => false,
    );
    const failure = await stackUp({ stateDir, components: [broken], say: quiet }).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StackComponentError);
    expect((failure as Error).message).toMatch(/broken exited/);
    expect((failure as Error).message).toMatch(/cannot bind 127\.0\.0\.1:1: boom/);
    expect(listPidRecords(statePaths(stateDir))).toEqual([]); // nothing left for `down` to chase
  });

  it('a component that never turns healthy fails after the timeout, with its log tail', async () => {
    const stuck = shellComponent(
      'stuck',
      'echo "waiting for a disk that never comes"; exec sleep 300',
      async () => false,
    );
    const failure = await stackUp({
      stateDir,
      components: [stuck],
      say: quiet,
      healthTimeoutMs: 1_000,
    }).catch((err: unknown) => err);
    expect((failure as Error).message).toMatch(/stuck not healthy after 1 s/);
    expect((failure as Error).message).toMatch(/waiting for a disk that never comes/);
    await stackDown({ stateDir, components: [stuck], say: quiet });
  });

  it('refuses to start a component whose address already answers for someone else', async () => {
    const squatted = shellComponent('squatted', 'exec sleep 300', async () => true);
    const failure = await stackUp({ stateDir, components: [squatted], say: quiet }).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StackComponentError);
    expect((failure as Error).message).toMatch(
      /squatted: something this stack did not start already answers/,
    );
    expect(listPidRecords(statePaths(stateDir))).toEqual([]); // nothing was spawned
  });

  it('`down` stops the whole process tree it started, and `up` twice starts it once', async () => {
    // Healthy once its own process runs (as a real check would find it answering).
    const tree = shellComponent('tree', 'sleep 300 & sleep 300 & wait', async () =>
      listPidRecords(statePaths(stateDir)).some((r) => r.name === 'tree' && isRunning(r)),
    );
    const first = await stackUp({ stateDir, components: [tree], say: quiet });
    expect(first.alreadyUp).toBe(false);
    const second = await stackUp({ stateDir, components: [tree], say: quiet });
    expect(second.alreadyUp).toBe(true);

    const [record] = listPidRecords(statePaths(stateDir));
    // The shell forks its two sleeps right after it starts.
    const family = await readUntil(
      async () => processFamily(record!.pid),
      (f) => f.length >= 3,
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(family.length).toBe(3); // sh and its two sleeps
    const { stopped } = await stackDown({ stateDir, components: [tree], say: quiet });
    expect(stopped).toEqual(['tree']);
    expect(stillRunning(family)).toEqual([]);
    expect((await stackStatus({ stateDir, components: [tree] }))[0]).toMatchObject({
      running: false,
      healthy: false,
    });
  });
});
