import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackComponents } from './components/index.ts';
import { mariadb } from './components/mariadb.ts';
import { pdns } from './components/pdns.ts';
import { postgres } from './components/postgres.ts';
import { stackPorts } from './ports.ts';
import { dnsAnswers, tcpOpen } from './probes.ts';
import { isRunning, listPidRecords, processFamily, stillRunning } from './processes.ts';
import { resolveStateDir, statePaths } from './state.ts';
import { stackDown, stackStatus, stackUp } from './supervisor.ts';

// The supervisor against the running stack (npm test brings it up first). A full `down` of the
// shared stack would pull it from under the other integration files, so the down/up cycle here
// stops and restarts the two leaf data services (nothing depends on them); bench/stack.ts does the
// full cold cycle and checks that no process of the whole stack is left.

const paths = statePaths(resolveStateDir());

function snapshotState() {
  const pidFiles = listPidRecords(paths).map((r) => [
    r.name,
    readFileSync(path.join(paths.pidsDir, `${r.name}.pid`), 'utf8'),
  ]);
  return { pidFiles: Object.fromEntries(pidFiles), envMtime: statSync(paths.envFile).mtimeMs };
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m);
  return Number(line?.[1]);
}

describe('hostplane stack (supervisor)', () => {
  it('a second `up` is a no-op that says so: same pids, nothing rewritten', async () => {
    const before = snapshotState();
    const lines: string[] = [];
    const result = await stackUp({ say: (line) => lines.push(line) });
    expect(result.alreadyUp).toBe(true);
    expect(lines[0]).toMatch(/already up/);
    expect(result.components.every((c) => !c.started)).toBe(true);
    expect(snapshotState()).toEqual(before);
  });

  it('runs the data services as their own unprivileged users', async () => {
    const statuses = await stackStatus();
    for (const name of [postgres.name, mariadb.name, pdns.name]) {
      const status = statuses.find((s) => s.name === name);
      expect(status?.healthy, name).toBe(true);
      const pid = status!.pids[0]!;
      if (process.getuid?.() === 0) expect(uidOf(pid), `${name} runs as root`).not.toBe(0);
    }
  });

  it('`down` stops exactly the processes it started and leaves none behind; `up` brings them back', async () => {
    for (const leaf of [postgres, pdns]) {
      expect(
        stackComponents.some((c) => c.dependsOn.includes(leaf.name)),
        `${leaf.name} must stay a leaf`,
      ).toBe(false);
    }
    const targets = listPidRecords(paths).filter((r) => r.name === postgres.name || r.name === pdns.name);
    const others = listPidRecords(paths).filter(
      (r) => r.name !== 'postgres' && r.name !== 'pdns' && isRunning(r),
    );
    expect(targets.map((r) => r.name).sort()).toEqual(['pdns', 'postgres']);
    const families = targets.map((r) => ({ name: r.name, pids: processFamily(r.pid) }));
    expect(families.find((f) => f.name === 'postgres')!.pids.length).toBeGreaterThan(1); // checkpointer, walwriter, …

    const { stopped } = await stackDown({ only: [postgres, pdns], say: () => {} });
    expect(stopped.sort()).toEqual(['pdns', 'postgres']);
    for (const family of families) expect(stillRunning(family.pids), family.name).toEqual([]);
    expect(await tcpOpen('127.0.0.1', stackPorts.postgres)).toBe(false);
    expect(await dnsAnswers('127.0.0.1', stackPorts.pdnsDns)).toBe(false);
    // Everything else still runs, with the same pids.
    expect(listPidRecords(paths).filter(isRunning)).toEqual(others);

    const result = await stackUp({ say: () => {} });
    expect(result.alreadyUp).toBe(false);
    const restarted = result.components.filter((c) => c.started).map((c) => c.name);
    expect(restarted.sort()).toEqual(['pdns', 'postgres']);
    expect((await stackStatus()).every((s) => s.healthy)).toBe(true);
  });
});
