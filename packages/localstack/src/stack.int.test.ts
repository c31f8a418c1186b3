import { spawnSync } from 'node:child_process';
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
// shared stack would pull it from under the other integration files (and break their open database
// pools), so the down/up cycle here stops and restarts PowerDNS only: a leaf nothing depends on,
// reached over stateless HTTP and DNS. bench/stack.ts does the full cold and warm cycles and checks
// that no process of the whole stack is left after `down`; `npm test` checks it when it took the
// stack down itself.

const paths = statePaths(resolveStateDir());

function snapshotState() {
  const pidFiles = listPidRecords(paths).map((r) => [
    r.name,
    readFileSync(path.join(paths.pidsDir, `${r.name}.pid`), 'utf8'),
  ]);
  return { pidFiles: Object.fromEntries(pidFiles), envMtime: statSync(paths.envFile).mtimeMs };
}

/** Who listens on a port, for the message of a failed assertion. */
function listeners(port: number): string {
  const result = spawnSync('ss', ['-ltnp', `sport = :${port}`], { encoding: 'utf8' });
  return `listening on ${port}: ${result.stdout.trim() || result.stderr.trim()}`;
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

  it("counts a component's forked processes as its own (PostgreSQL puts each in its own session)", async () => {
    const record = listPidRecords(paths).find((r) => r.name === postgres.name)!;
    const family = processFamily(record.pid);
    expect(family).toContain(record.pid);
    expect(family.length).toBeGreaterThan(1); // checkpointer, walwriter, autovacuum launcher, …
  });

  it('`down` stops exactly the processes it started and leaves none behind; `up` brings them back', async () => {
    expect(
      stackComponents.some((c) => c.dependsOn.includes(pdns.name)),
      'pdns must stay a leaf',
    ).toBe(false);
    const target = listPidRecords(paths).find((r) => r.name === pdns.name)!;
    const family = processFamily(target.pid);
    const others = listPidRecords(paths).filter((r) => r.name !== pdns.name && isRunning(r));

    try {
      const { stopped } = await stackDown({ only: [pdns], say: () => {} });
      expect(stopped).toEqual(['pdns']);
      expect(stillRunning(family)).toEqual([]);
      expect(await tcpOpen('127.0.0.1', stackPorts.pdnsApi), listeners(stackPorts.pdnsApi)).toBe(false);
      expect(await dnsAnswers('127.0.0.1', stackPorts.pdnsDns)).toBe(false);
      // Everything else still runs, with the same pids.
      expect(listPidRecords(paths).filter(isRunning)).toEqual(others);
    } catch (failure) {
      await stackUp({ say: () => {} }); // the files after this one need PowerDNS whatever happened here
      throw failure;
    }

    const result = await stackUp({ say: () => {} });
    expect(result.alreadyUp).toBe(false);
    expect(result.components.filter((c) => c.started).map((c) => c.name)).toEqual(['pdns']);
    expect((await stackStatus()).every((s) => s.healthy)).toBe(true);
    expect(await dnsAnswers('127.0.0.1', stackPorts.pdnsDns)).toBe(true);
  });
});
