import { describe, expect, it } from 'vitest';
import { splitProjects, testPhases } from './test-phases.ts';

describe('npm test phases', () => {
  it('runs unit and integration on kwok, then the node project on the real node', () => {
    expect(testPhases([])).toEqual({
      kwok: ['--project', 'unit', '--project', 'integration'],
      node: ['--project', 'node'],
    });
  });

  it('passes path filters to both phases, which may then find nothing to run', () => {
    expect(testPhases(['tests/cluster-dns.node.test.ts'])).toEqual({
      kwok: [
        '--project',
        'unit',
        '--project',
        'integration',
        '--passWithNoTests',
        'tests/cluster-dns.node.test.ts',
      ],
      node: ['--project', 'node', '--passWithNoTests', 'tests/cluster-dns.node.test.ts'],
    });
  });

  it('runs only the projects named', () => {
    expect(testPhases(['--project', 'node'])).toEqual({ node: ['--project', 'node'] });
    expect(testPhases(['--project=unit'])).toEqual({ kwok: ['--project', 'unit'] });
    expect(splitProjects(['-t', 'x', '--project', 'integration'])).toEqual({
      projects: ['integration'],
      rest: ['-t', 'x'],
    });
  });
});
