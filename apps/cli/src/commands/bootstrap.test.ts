import { describe, expect, it } from 'vitest';
import { type Invocation, parseCli } from '../program.ts';
import { bootstrapArgs } from './bootstrap.ts';

const quiet = { out: () => undefined, err: () => undefined };

/** The bootstrap invocation commander reads from `argv`, checked by bootstrapArgs. */
function parse(argv: string[]) {
  const parsed = parseCli(['bootstrap', ...argv], quiet);
  if (parsed.kind !== 'run') throw new Error(`usage error (exit ${parsed.code})`);
  return bootstrapArgs(parsed.invocation as Extract<Invocation, { command: 'bootstrap' }>);
}

describe('hostplane bootstrap arguments', () => {
  it('reads --render DIR', () => {
    expect(parse(['--config', 'p.yaml', '--render', 'out'])).toEqual({
      config: 'p.yaml',
      render: 'out',
      apply: false,
      diff: false,
      uninstall: false,
      status: false,
      local: false,
      timeout: 600,
    });
  });

  it('reads --apply with a kubeconfig and a timeout', () => {
    expect(parse(['--apply', '--config', 'p.yaml', '--kubeconfig', 'k', '--timeout', '90'])).toEqual({
      config: 'p.yaml',
      apply: true,
      diff: false,
      uninstall: false,
      status: false,
      local: false,
      kubeconfig: 'k',
      timeout: 90,
    });
  });

  it('reads --local --diff and `status` (no --config needed with --local)', () => {
    expect(parse(['--local', '--diff'])).toMatchObject({ local: true, diff: true, apply: false });
    expect(parse(['status', '--config', 'p.yaml'])).toMatchObject({ status: true, config: 'p.yaml' });
  });

  it('reads --local --uninstall, alone', () => {
    expect(parse(['--local', '--uninstall'])).toMatchObject({ local: true, uninstall: true, apply: false });
    expect(() => parse(['--local', '--uninstall', '--apply'])).toThrow(/exactly one/);
  });

  it.each([
    [['--config', 'p.yaml'], /exactly one of --render DIR, --apply, --diff, --uninstall and status/],
    [['--local', '--config', 'p.yaml', '--apply'], /--config F is required \(or --local/],
    [['--config', 'p.yaml', 'later'], /usage error \(exit 2\)/],
    [['--config', 'p.yaml', '--render', 'out', '--apply'], /exactly one/],
    [['--render', 'out'], /--config F is required/],
    [['--config'], /usage error \(exit 2\)/],
    [['--config', 'p.yaml', '--apply', '--force'], /usage error \(exit 2\)/],
    [['--config', 'p.yaml', '--apply', '--timeout', 'soon'], /number/i],
  ])('%j is refused', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });
});
