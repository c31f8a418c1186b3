import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessSpec } from './component.ts';
import type { StatePaths } from './state.ts';
import { writeFileAtomic } from './state.ts';
import type { ServiceIds } from './users.ts';

// The pid file holds the pid on its first line and the process' start time (field 22 of
// /proc/<pid>/stat) on its second, so a pid reused by an unrelated process after a reboot is
// never taken for ours, and never signalled.

export interface PidRecord {
  name: string;
  pid: number;
  startTime: string | undefined;
}

export function pidFile(paths: StatePaths, name: string): string {
  return path.join(paths.pidsDir, `${name}.pid`);
}

export function logFile(paths: StatePaths, name: string): string {
  return path.join(paths.logsDir, `${name}.log`);
}

/** Fields 3… of /proc/<pid>/stat (the command name, field 2, may hold spaces and parentheses). */
function statFields(file: string): string[] {
  const stat = readFileSync(file, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * A zombie thread-group leader may still have live threads holding its sockets: PowerDNS' main
 * thread can finish before its listener threads on SIGTERM. Only when every thread has exited is
 * the process gone (and its ports free).
 */
function hasLiveThreads(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      try {
        const state = statFields(`/proc/${pid}/task/${tid}/stat`)[0];
        return state !== 'Z' && state !== 'X';
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function startTimeOf(pid: number): string | undefined {
  try {
    const fields = statFields(`/proc/${pid}/stat`);
    if ((fields[0] === 'Z' || fields[0] === 'X') && !hasLiveThreads(pid)) return undefined; // exited
    return fields[19];
  } catch {
    return undefined;
  }
}

export function readPidRecord(paths: StatePaths, name: string): PidRecord | undefined {
  const file = pidFile(paths, name);
  if (!existsSync(file)) return undefined;
  const [pidLine, startLine] = readFileSync(file, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  return { name, pid, startTime: startLine || undefined };
}

/** All pid files of the state folder: the processes this stack started and has not stopped. */
export function listPidRecords(paths: StatePaths): PidRecord[] {
  if (!existsSync(paths.pidsDir)) return [];
  return readdirSync(paths.pidsDir)
    .filter((file) => file.endsWith('.pid'))
    .map((file) => readPidRecord(paths, file.slice(0, -'.pid'.length)))
    .filter((record): record is PidRecord => record !== undefined);
}

/** True when the recorded process still runs and is the one we started. */
export function isRunning(record: PidRecord): boolean {
  const start = startTimeOf(record.pid);
  if (start === undefined) return false;
  return record.startTime === undefined || record.startTime === start;
}

export function runningRecord(paths: StatePaths, name: string): PidRecord | undefined {
  const record = readPidRecord(paths, name);
  return record && isRunning(record) ? record : undefined;
}

/** Spawns one process detached (own process group), output appended to its log, pid recorded. */
export function spawnProcess(paths: StatePaths, spec: ProcessSpec, ids: ServiceIds | undefined): PidRecord {
  const log = openSync(logFile(paths, spec.name), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        LANG: 'C.UTF-8',
        HOME: spec.cwd ?? paths.stateDir,
        ...spec.env,
      },
      uid: ids?.uid,
      gid: ids?.gid,
    });
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    child.on('error', () => {
      // ENOENT and friends: the health wait notices the missing process and prints the log tail.
    });
    child.unref();
    const record: PidRecord = { name: spec.name, pid: child.pid, startTime: startTimeOf(child.pid) };
    writeFileAtomic(pidFile(paths, spec.name), `${record.pid}\n${record.startTime ?? ''}\n`);
    return record;
  } finally {
    closeSync(log);
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
}

function liveProcesses(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z')
        entries.push({ pid: Number(entry), ppid: Number(fields[1]), pgid: Number(fields[2]) });
    } catch {
      // exited while we looked
    }
  }
  return entries;
}

/**
 * The live processes a started process stands for: itself, its process group, and its descendants
 * (PostgreSQL gives each backend its own session, so the group alone misses them).
 */
export function processFamily(pid: number): number[] {
  const all = liveProcesses();
  const family = new Set(all.filter((p) => p.pid === pid || p.pgid === pid).map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!family.has(p.pid) && family.has(p.ppid)) {
        family.add(p.pid);
        grew = true;
      }
    }
  }
  return [...family].sort((a, b) => a - b);
}

/** Which of these pids still run (a pid snapshot taken before a stop). */
export function stillRunning(pids: readonly number[]): number[] {
  const live = new Set(liveProcesses().map((p) => p.pid));
  return pids.filter((pid) => live.has(pid));
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the whole group we created: postgres backends, pdns threads, …
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Live (not zombie) members of process group `pgid`: what a component's leader started stays in its
 * group (we spawn it detached, as a group leader), and `down` is done only when all of them are gone,
 * not just the leader — a shell's children may outlive it by a few milliseconds under load.
 */
function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(`/proc/${entry}/stat`);
      if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
    } catch {
      // exited while we read
    }
  }
  return members;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; removes the pid file. Signals only verified pids. */
export async function stopProcess(
  paths: StatePaths,
  record: PidRecord,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'gone'> {
  let outcome: 'stopped' | 'killed' | 'gone' = 'gone';
  if (isRunning(record)) {
    const alive = () => isRunning(record) || liveGroupMembers(record.pid).length > 0;
    signalGroup(record.pid, 'SIGTERM');
    outcome = 'stopped';
    const deadline = Date.now() + graceMs;
    while (alive() && Date.now() < deadline) await sleep(100);
    if (alive()) {
      signalGroup(record.pid, 'SIGKILL');
      outcome = 'killed';
      while (alive()) await sleep(50);
    }
  }
  rmSync(pidFile(paths, record.name), { force: true });
  return outcome;
}

/** The last lines of a process' log, for the message of a failed `up`. */
export function logTail(paths: StatePaths, name: string, lines = 30): string {
  const file = logFile(paths, name);
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
