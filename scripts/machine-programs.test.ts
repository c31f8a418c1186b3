import { afterEach, describe, expect, it } from 'vitest';
import { missingMachinePrograms } from './setup.ts';

// The machine's own programs the tests run (kubectl): named before setup's 25 minutes, not after.
const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
});

describe('missingMachinePrograms', () => {
  it('finds kubectl on this machine, and names it and what uses it when it is not on PATH', () => {
    expect(missingMachinePrograms()).toEqual([]);
    process.env.PATH = '/nonexistent';
    expect(missingMachinePrograms()).toEqual([expect.stringMatching(/^kubectl \(the node tests/)]);
  });
});
