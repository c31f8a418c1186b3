import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBootstrap, stepToYaml } from '@hostplane/platform';
import { repoRoot } from '@hostplane/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBootstrapConfig, run } from '../commands/bootstrap.ts';
import type { Invocation } from '../program.ts';

const render = (config: string, dir: string): Extract<Invocation, { command: 'bootstrap' }> => ({
  command: 'bootstrap',
  config,
  render: dir,
  apply: false,
  diff: false,
  status: false,
  local: false,
  output: 'text',
});

// The command end to end on the file system (no cluster): the documented example config renders.
const example = path.join(repoRoot, 'docs', 'platform.example.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'hostplane-bootstrap-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostplane bootstrap --render DIR', () => {
  it('writes the numbered files of docs/platform.example.yaml, byte for byte what the renderer gives', async () => {
    expect(await run(render(example, dir))).toBe(0);
    const steps = renderBootstrap(loadBootstrapConfig(example));
    expect(readdirSync(dir).sort()).toEqual(steps.map((s) => s.file));
    for (const step of steps) expect(readFileSync(path.join(dir, step.file), 'utf8')).toBe(stepToYaml(step));
  });

  it('a config with a bad field changes nothing and exits 2', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ bootstrap: { hosts: { panel: 'Not A Host' } } }));
    const out = path.join(dir, 'out-bad');
    expect(await run(render(bad, out))).toBe(2);
    expect(() => readdirSync(out)).toThrow();
  });
});
