import { describe, expect, it } from 'vitest';
import { parseBootstrapArgs } from './bootstrap.ts';

describe('parseBootstrapArgs', () => {
  it('reads --render DIR', () => {
    expect(parseBootstrapArgs(['--config', 'p.yaml', '--render', 'out'])).toEqual({
      config: 'p.yaml',
      render: 'out',
      apply: false,
      timeout: 600,
    });
  });

  it('reads --apply with a kubeconfig and a timeout', () => {
    expect(
      parseBootstrapArgs(['--apply', '--config', 'p.yaml', '--kubeconfig', 'k', '--timeout', '90']),
    ).toEqual({
      config: 'p.yaml',
      apply: true,
      kubeconfig: 'k',
      timeout: 90,
    });
  });

  it.each([
    [['--config', 'p.yaml'], /exactly one of --render DIR and --apply/],
    [['--config', 'p.yaml', '--render', 'out', '--apply'], /exactly one/],
    [['--render', 'out'], /--config F is required/],
    [['--config'], /--config needs a value/],
    [['--config', 'p.yaml', '--apply', '--force'], /unknown argument --force/],
    [['--config', 'p.yaml', '--apply', '--timeout', 'soon'], /number/i],
  ])('%j is refused', (argv, message) => {
    expect(() => parseBootstrapArgs(argv)).toThrow(message);
  });
});
