import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALONE, DEFAULT_SECONDS, GROUPS, planNodeLanes, SECONDS } from './node-lanes.ts';

const repo = path.resolve(import.meta.dirname, '..');
const nodeFiles = readdirSync(path.join(repo, 'tests'))
  .filter((f) => f.endsWith('.node.test.ts'))
  .map((f) => `tests/${f}`);

describe('node test lanes', () => {
  it('runs every node file exactly once', () => {
    const plan = planNodeLanes(nodeFiles);
    expect([...plan.lanes.flat(), ...plan.alone].sort()).toEqual([...nodeFiles].sort());
  });

  it('keeps the files that must run alone out of both lanes', () => {
    const plan = planNodeLanes(nodeFiles);
    for (const f of ALONE) {
      expect(plan.alone).toContain(f);
      expect(plan.lanes.flat()).not.toContain(f);
    }
  });

  it('keeps each group in one lane', () => {
    const plan = planNodeLanes(nodeFiles);
    for (const members of Object.values(GROUPS)) {
      const lanesOf = new Set(members.map((f) => plan.lanes.findIndex((lane) => lane.includes(f))));
      expect(lanesOf.size).toBe(1);
    }
  });

  it('balances the lanes within the longest single unit', () => {
    const plan = planNodeLanes(nodeFiles);
    const total = (lane: string[]) => lane.reduce((s, f) => s + (SECONDS[f] ?? DEFAULT_SECONDS), 0);
    const longest = Math.max(...nodeFiles.map((f) => SECONDS[f] ?? DEFAULT_SECONDS), 120);
    const totals = plan.lanes.map(total);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(longest);
  });

  it('names only files that exist', () => {
    for (const f of [...ALONE, ...Object.values(GROUPS).flat(), ...Object.keys(SECONDS)])
      expect(nodeFiles).toContain(f);
  });

  it('puts a new file in the lighter lane', () => {
    const plan = planNodeLanes(['tests/a.node.test.ts', 'tests/install.node.test.ts'], 2);
    expect(plan).toEqual({ lanes: [['tests/a.node.test.ts'], []], alone: ['tests/install.node.test.ts'] });
  });

  it('makes as many lanes as asked, one at least', () => {
    expect(planNodeLanes(nodeFiles).lanes).toHaveLength(3);
    expect(planNodeLanes(nodeFiles, 1).lanes).toHaveLength(1);
    expect(planNodeLanes(nodeFiles, 0).lanes).toHaveLength(1);
  });
});
