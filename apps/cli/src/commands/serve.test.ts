import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsConfigOf } from '@hostplane/platform';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseServeEnv } from './serve.ts';
import { assembleTargets } from './serve-assemble.ts';
import { loadPlatformConfig, withDsRecords } from './serve-targets.ts';

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
      METRICS_PORT: 9090,
      BACKUPS: 'on',
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
      TRUST_PROXY: 1,
    });
    expect(parseServeEnv({ ...base, TRUST_PROXY: '10.42.0.0/16, 127.0.0.1' }).TRUST_PROXY).toEqual([
      '10.42.0.0/16',
      '127.0.0.1',
    ]);
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
    [{ ...base, TRUST_PROXY: 'yes' }, /TRUST_PROXY: must be false, a number of proxy hops/],
    [{ ...base, TRUST_PROXY: 'true' }, /TRUST_PROXY: must be false, a number of proxy hops/],
    [{ ...base, METRICS_PORT: 'x' }, /METRICS_PORT: must be a whole number/],
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

describe('assembleTargets', () => {
  it('has the customer status target first', () => {
    const targets = assembleTargets(parseServeEnv(base), pino({ level: 'silent' }));
    expect(targets.map((t) => t.name)).toEqual(['Customer']);
  });

  it('adds the Mail target when MAIL_DATABASE_URL is set', () => {
    const env = parseServeEnv({ ...base, MAIL_DATABASE_URL: 'mysql://mail:pw@127.0.0.1:3306/mail' });
    expect(assembleTargets(env, pino({ level: 'silent' })).map((t) => t.name)).toEqual(['Customer', 'Mail']);
  });

  const silent = pino({ level: 'silent' });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'serve-test-')), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  const stack = {
    ...base,
    KUBECONFIG: kubeconfig,
    PDNS_API_URL: 'http://127.0.0.1:8081',
    PDNS_API_KEY: 'key',
    PDNS_DNS_ADDR: '127.0.0.1:5353',
    MAIL_DATABASE_URL: 'mysql://mail:pw@127.0.0.1:3306/mail',
  };

  it('adds DNS, then Kubernetes, then customer databases, then Mail with the whole stack environment (Backup needs the database)', () => {
    const names = assembleTargets(parseServeEnv(stack), silent).map((t) => t.name);
    expect(names).toEqual(['Customer', 'DNS', 'Kubernetes', 'Databases', 'Mail']);
  });

  it('adds DNS only when both PDNS_API_URL and PDNS_API_KEY are set', () => {
    const { PDNS_API_KEY: _, ...noKey } = stack;
    const names = assembleTargets(parseServeEnv(noKey), silent).map((t) => t.name);
    expect(names).toEqual(['Customer', 'Kubernetes', 'Databases', 'Mail']);
  });

  it('refuses KUBECONFIG without any DNS resolver address', () => {
    const env = parseServeEnv({ ...base, KUBECONFIG: kubeconfig });
    expect(() => assembleTargets(env, silent)).toThrow(/DNS_RESOLVER_ADDR or PDNS_DNS_ADDR/);
    expect(
      assembleTargets(
        parseServeEnv({ ...base, KUBECONFIG: kubeconfig, DNS_RESOLVER_ADDR: '127.0.0.1:53' }),
        silent,
      ).map((t) => t.name),
    ).toEqual(['Customer', 'Kubernetes', 'Databases']);
  });
});

describe('loadPlatformConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-config-'));

  it('defaults to the local stack: public address 127.0.0.1, shared by the DNS zones and the TLS gate', () => {
    const config = loadPlatformConfig(undefined);
    expect(config.publicAddresses.ipv4).toEqual(['127.0.0.1']);
    expect(config.webmailUrl).toBeUndefined();
    // The stack's Roundcube (WEBMAIL_URL) is the local platform webmail; a bad one is refused by name.
    expect(loadPlatformConfig(undefined, 'http://127.0.0.1:28090').webmailUrl).toBe('http://127.0.0.1:28090');
    expect(() => loadPlatformConfig(undefined, 'not a url')).toThrow(/webmailUrl/);
    expect(dnsConfigOf(config)).toMatchObject({
      nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
      publicIPv4: ['127.0.0.1'],
      mail: { host: 'mail.hostplane.test' },
    });
  });

  it('reads YAML and derives the DNS settings from the same file', () => {
    const file = join(dir, 'platform.yaml');
    writeFileSync(
      file,
      'publicAddresses:\n  ipv4: [203.0.113.7]\ndns:\n  nameservers: [ns1.example.net]\n  mail: {host: mx.example.net}\n',
    );
    const dns = dnsConfigOf(loadPlatformConfig(file));
    expect(dns).toMatchObject({ nameservers: ['ns1.example.net'], publicIPv4: ['203.0.113.7'] });
    expect(dns.mail?.host).toBe('mx.example.net');
  });

  it('names the bad field of a config file, and a file that cannot be read', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ publicAddresses: { ipv4: ['300.0.0.1'] } }));
    expect(() => loadPlatformConfig(file)).toThrow(/publicAddresses\.ipv4\.0/);
    expect(() => loadPlatformConfig(join(dir, 'missing.yaml'))).toThrow(/cannot be read/);
  });
});

describe('withDsRecords', () => {
  const snapshotWith = (domains: { name: string; dnssec: boolean }[]) =>
    ({
      id: 1001,
      deleting: false,
      domains: domains.map((d) => ({ ...d, dns: true, mail: false, records: [], dkim: null })),
    }) as never;
  const ctx = { signal: new AbortController().signal, log: pino({ level: 'silent' }) } as never;
  const ds = [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ab', content: '1 13 2 ab' }];

  it('stores the DS of signed zone apexes and null for the others, after a True pass', async () => {
    const saved: unknown[] = [];
    const asked: string[] = [];
    const target = withDsRecords(
      { name: 'DNS', run: async () => ({ status: 'True', reason: 'Ready', message: '', changes: 0 }) },
      {
        dsRecords: async (zone) => {
          asked.push(zone);
          return ds;
        },
      },
      async (id, statuses) => void saved.push([id, statuses]),
    );
    await target.run(
      snapshotWith([
        { name: 'example.com', dnssec: true },
        { name: 'shop.example.com', dnssec: true },
        { name: 'plain.org', dnssec: false },
      ]),
      ctx,
    );
    expect(asked).toEqual(['example.com']);
    expect(saved).toEqual([
      [
        1001,
        [
          { name: 'example.com', ds },
          { name: 'shop.example.com', ds: null },
          { name: 'plain.org', ds: null },
        ],
      ],
    ]);
  });

  it('stores nothing when the pass failed', async () => {
    let calls = 0;
    const target = withDsRecords(
      { name: 'DNS', run: async () => ({ status: 'False', reason: 'X', message: '', changes: 0 }) },
      { dsRecords: async () => ds },
      async () => void calls++,
    );
    await target.run(snapshotWith([{ name: 'example.com', dnssec: true }]), ctx);
    expect(calls).toBe(0);
  });
});
