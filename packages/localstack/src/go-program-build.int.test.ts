// ensureGoProgram with the real `go`: two callers asking for the same program at once (setup's Go lanes
// and its image lane on a cold machine) share one build. The module is Pebble's, which setup has put in
// the Go module cache; the command does not exist, so the build fails fast after its real start.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGoProgram, type GoProgram } from './go-program-build.ts';
import { pebbleProgram } from './go-programs.ts';

describe('ensureGoProgram', () => {
  let cacheDir = '';
  const saved = process.env.HOSTPLANE_CACHE_DIR;
  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'hostplane-go-program-'));
    process.env.HOSTPLANE_CACHE_DIR = cacheDir;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.HOSTPLANE_CACHE_DIR;
    else process.env.HOSTPLANE_CACHE_DIR = saved;
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('builds a program once when two callers ask for it at the same time', async () => {
    const program: GoProgram = {
      ...pebbleProgram,
      name: 'pebble-missing',
      commands: ['./cmd/hostplane-missing'],
    };
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    const results = await Promise.allSettled([ensureGoProgram(program, say), ensureGoProgram(program, say)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(lines.filter((l) => l.startsWith('building ')).length).toBe(1);
    // Settled builds are forgotten: a later call tries again (here: fails again, with a build of its own).
    await expect(ensureGoProgram(program, say)).rejects.toThrow(/hostplane-missing/);
    expect(lines.filter((l) => l.startsWith('building ')).length).toBe(2);
  }, 120_000);
});
