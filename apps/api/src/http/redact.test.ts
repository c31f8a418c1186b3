import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { REDACTED, redactSecrets } from './redact.ts';

describe('redactSecrets', () => {
  it('replaces secret-looking fields at any depth and keeps the rest', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    expect(
      redactSecrets({
        name: 'shop',
        password: 'p',
        nested: {
          passwordHash: 'h',
          token: 't',
          dkim_private_key_pem: 'k',
          totpSecret: 's',
          keep: [1, { databasePassword: 'd' }],
        },
        at: when,
        empty: null,
      }),
    ).toEqual({
      name: 'shop',
      password: REDACTED,
      nested: {
        passwordHash: REDACTED,
        token: REDACTED,
        dkim_private_key_pem: REDACTED,
        totpSecret: REDACTED,
        keep: [1, { databasePassword: REDACTED }],
      },
      at: '2026-01-01T00:00:00.000Z',
      empty: null,
    });
  });
});

describe('cursors', () => {
  it('round-trips and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe(1234);
    expect(decodeCursor(undefined)).toBe(0);
    expect(() => decodeCursor(Buffer.from('i:-1').toString('base64url'))).toThrow(/cursor/);
    expect(() => decodeCursor('zzzz')).toThrow(/cursor/);
  });
});
