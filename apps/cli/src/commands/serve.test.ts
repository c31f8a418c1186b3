import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { assembleTargets, parseServeArgs, parseServeEnv } from './serve.ts';

const base = { DATABASE_URL: 'postgres://hostplane@127.0.0.1:5432/panel' };

describe('parseServeEnv', () => {
  it('applies the defaults', () => {
    expect(parseServeEnv(base)).toEqual({
      DATABASE_URL: base.DATABASE_URL,
      PORT: 8080,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RESYNC_MINUTES: 10,
      WORKER_CONCURRENCY: 4,
      SESSION_COOKIE_SECURE: true,
      TRUST_PROXY: false,
    });
  });

  it('reads every knob', () => {
    const env = parseServeEnv({
      ...base,
      PORT: '9000',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      RESYNC_MINUTES: '15',
      WORKER_CONCURRENCY: '8',
      SESSION_COOKIE_SECURE: 'false',
      TRUST_PROXY: '1',
      SECRET_KEY: 'a-secret-of-enough-length',
      KUBECONFIG: '/tmp/kubeconfig',
      PDNS_API_URL: 'http://127.0.0.1:8081',
      PDNS_API_KEY: 'key',
      MAIL_DATABASE_URL: 'mysql://mail:pw@127.0.0.1:3306/mail',
      UNRELATED: 'ignored',
    });
    expect(env).toMatchObject({
      PORT: 9000,
      RESYNC_MINUTES: 15,
      WORKER_CONCURRENCY: 8,
      SESSION_COOKIE_SECURE: false,
      TRUST_PROXY: true,
    });
    expect(env.PDNS_API_URL).toBe('http://127.0.0.1:8081');
  });

  it.each([
    [{}, /DATABASE_URL: is required/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL: must be a postgres: or postgresql: URL/],
    [{ ...base, PORT: '80a' }, /PORT: must be a whole number/],
    [{ ...base, PORT: '70000' }, /PORT: must be ≤ 65535/],
    [{ ...base, RESYNC_MINUTES: '0' }, /RESYNC_MINUTES: must be ≥ 1/],
    [{ ...base, WORKER_CONCURRENCY: '-2' }, /WORKER_CONCURRENCY: must be a whole number/],
    [{ ...base, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ...base, TRUST_PROXY: 'yes' }, /TRUST_PROXY: must be true or false/],
    [{ ...base, PDNS_API_URL: 'not a url' }, /PDNS_API_URL: must be a http: or https: URL/],
    [{ ...base, SECRET_KEY: 'short' }, /SECRET_KEY: must be at least 16 characters/],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => parseServeEnv(env)).toThrow(message);
  });

  it('names every bad variable at once, and treats empty values as missing', () => {
    expect(() => parseServeEnv({ DATABASE_URL: '', PORT: 'x' })).toThrow(
      /DATABASE_URL: is required\n\s+PORT: must be a whole number/,
    );
  });
});

describe('parseServeArgs', () => {
  it('reads the mode', () => {
    expect(parseServeArgs([])).toBe('all');
    expect(parseServeArgs(['--api-only'])).toBe('api');
    expect(parseServeArgs(['--worker-only'])).toBe('worker');
  });
  it('rejects both flags and unknown ones', () => {
    expect(() => parseServeArgs(['--api-only', '--worker-only'])).toThrow(/exclude each other/);
    expect(() => parseServeArgs(['--port=1'])).toThrow(/unknown argument --port=1/);
  });
});

describe('assembleTargets', () => {
  it('has the customer status target first', () => {
    const targets = assembleTargets(parseServeEnv(base), pino({ level: 'silent' }));
    expect(targets.map((t) => t.name)).toEqual(['Customer']);
  });

  it('adds the Mail target when MAIL_DATABASE_URL is set', () => {
    const env = parseServeEnv({ ...base, MAIL_DATABASE_URL: 'mysql://mail:pw@127.0.0.1:3306/mail' });
    expect(assembleTargets(env, pino({ level: 'silent' })).map((t) => t.name)).toEqual(['Customer', 'Mail']);
  });
});
