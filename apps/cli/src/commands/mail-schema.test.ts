import { describe, expect, it } from 'vitest';
import { parseCli } from '../program.ts';
import { run } from './mail-schema.ts';

describe('hostplane mail-schema', () => {
  it('parses as its own command', () => {
    expect(parseCli(['mail-schema'], { out: () => {}, err: () => {} })).toEqual({
      kind: 'run',
      invocation: { command: 'mail-schema' },
    });
  });

  it('refuses to run without a mysql:// MAIL_DATABASE_URL (exit 2, nothing touched)', async () => {
    expect(await run({})).toBe(2);
    expect(await run({ MAIL_DATABASE_URL: 'postgres://x@y/z' })).toBe(2);
  });
});
