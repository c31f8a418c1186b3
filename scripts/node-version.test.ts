import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeProblem } from './setup.ts';

describe('the Node version check of npm start / npm test', () => {
  it('accepts Node 22.12 and newer, the version in .node-version included', () => {
    expect(nodeProblem('22.12.0')).toBeUndefined();
    expect(nodeProblem('24.1.0')).toBeUndefined();
    const pinned = readFileSync(new URL('../.node-version', import.meta.url), 'utf8').trim();
    expect(nodeProblem(pinned)).toBeUndefined();
  });

  it('refuses Node 20 and early 22 and says how to get the right one', () => {
    expect(nodeProblem('20.19.2')).toMatch(/Node 22\.12 or newer is needed; this is v20\.19\.2/);
    expect(nodeProblem('22.11.0')).toContain('scripts/install-node.sh');
  });

  it('agrees with the engines field of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe('>=22.12');
  });
});
