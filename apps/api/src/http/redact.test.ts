import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { logRedaction, logRedactPaths, REDACTED, redactSecrets } from './redact.ts';

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

describe('logRedaction', () => {
  // The reference: pino's own redaction of logRedactPaths (what the logs carried before issue 10).
  function lines(options: pino.LoggerOptions, log: (logger: pino.Logger) => void): unknown[] {
    const out: string[] = [];
    const logger = pino({ ...options, base: null, timestamp: false }, { write: (s: string) => out.push(s) });
    log(logger);
    return out.map((s) => JSON.parse(s));
  }
  const reference: pino.LoggerOptions = { redact: { paths: logRedactPaths, censor: REDACTED } };
  const cases: Record<string, unknown>[] = [
    { method: 'GET', route: '/api/v1/customers/:id', status: 200, ms: 1.5 },
    { body: { email: 'a@b.c', password: 'p', currentPassword: 'c', newPassword: 'n', keep: 1 } },
    { token: 'top-level-is-not-a-path', cfg: { token: 't', totp: '1', secret: 's', apiKey: 'k' } },
    {
      adapter: { headers: { 'x-api-key': 'k', accept: 'json' }, databasePassword: 'd', privateKeyPem: 'pem' },
    },
    { req: { method: 'GET', headers: { authorization: 'Bearer x', cookie: 'c', 'x-csrf-token': 't' } } },
    { res: { statusCode: 200, headers: { 'set-cookie': 'hp_session=1' } }, list: [{ password: 'in-array' }] },
    { nested: { deeper: { password: 'two-levels-down-is-not-a-path' } }, nothing: null, n: 3 },
    { req: { password: 'p', headers: { 'x-api-key': 'k' } } },
  ];

  it('redacts exactly what pino redacts with logRedactPaths, in log objects and child bindings', () => {
    for (const obj of cases) {
      const log = (logger: pino.Logger) => {
        logger.info(obj, 'line');
        logger.child(obj).info('child');
      };
      expect(lines(logRedaction, log)).toEqual(lines(reference, log));
    }
    expect(lines(logRedaction, (l) => l.info(cases[1] ?? {}))).toEqual([
      {
        level: 30,
        body: {
          email: 'a@b.c',
          password: REDACTED,
          currentPassword: REDACTED,
          newPassword: REDACTED,
          keep: 1,
        },
      },
    ]);
  });

  it('leaves the logged object itself untouched', () => {
    const obj = { body: { password: 'p' } };
    lines(logRedaction, (l) => l.info(obj));
    expect(obj.body.password).toBe('p');
  });
});
