import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { delegateDomain, loadStackEnv, publishAtRegistry, withdrawFromRegistry } from '@hostplane/testing';
import { afterAll, describe, expect, it } from 'vitest';

// The local internet (DESIGN.md §5, §9): the recursor (DNS_RESOLVER_ADDR) resolves from the stack's
// root (the registry), follows the registry's delegations to port 53 of the platform's server, and
// finds the platform's own names through glue, as a resolver on the internet would.

const execFileAsync = promisify(execFile);
const env = loadStackEnv();
const resolver = (env.DNS_RESOLVER_ADDR ?? '').split(':') as [string, string];
let domain = `li-${randomBytes(4).toString('hex')}.test`;

async function dig(name: string, type: string): Promise<{ status: string; answers: string[] }> {
  const { stdout } = await execFileAsync('dig', [
    `@${resolver[0]}`,
    '-p',
    resolver[1],
    '+time=3',
    '+tries=2',
    name,
    type,
  ]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'none';
  const short = await execFileAsync('dig', [
    `@${resolver[0]}`,
    '-p',
    resolver[1],
    '+short',
    '+time=3',
    '+tries=2',
    name,
    type,
  ]);
  return { status, answers: short.stdout.trim().split('\n').filter(Boolean).sort() };
}

async function platformApi(method: string, path: string, body?: unknown) {
  const res = await fetch(`${env.PDNS_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': env.PDNS_API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

afterAll(async () => {
  await withdrawFromRegistry(env, domain, 'NS').catch(() => undefined);
  await platformApi('DELETE', `/zones/${domain}.`);
});

describe('the local internet', () => {
  it('prints its variables', () => {
    expect(env.DNS_RESOLVER_ADDR).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.REGISTRY_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.REGISTRY_API_KEY).toMatch(/^[0-9a-f]{36}$/);
  });

  it("answers the platform's names from the root down (glue in the registry)", async () => {
    expect((await dig('hostplane.test', 'NS')).answers).toEqual([
      'ns1.hostplane.test.',
      'ns2.hostplane.test.',
    ]);
    expect((await dig('ns1.hostplane.test', 'A')).answers).toEqual(['127.0.53.1']);
    expect((await dig('mail.hostplane.test', 'A')).answers).toEqual(['127.0.0.1']);
    expect((await dig('panel.hostplane.test', 'A')).answers).toEqual(['127.0.0.1']);
  });

  it('sees a platform zone only once the registry delegates it, and records the registry serves itself', async () => {
    await withdrawFromRegistry(env, domain, 'NS').catch(() => undefined);
    await platformApi('DELETE', `/zones/${domain}.`);
    domain = `li-${randomBytes(4).toString('hex')}.test`; // a retry never meets its first attempt's cache
    await platformApi('DELETE', `/zones/${domain}.`);
    await platformApi('POST', '/zones', {
      name: `${domain}.`,
      kind: 'Native',
      nameservers: ['ns1.hostplane.test.', 'ns2.hostplane.test.'],
      rrsets: [
        { name: `www.${domain}.`, type: 'A', ttl: 60, records: [{ content: '192.0.2.80', disabled: false }] },
      ],
    });
    expect((await dig(`www.${domain}`, 'A')).status).toBe('NXDOMAIN');
    await delegateDomain(env, domain);
    const deadline = Date.now() + 20_000;
    let seen = await dig(`www.${domain}`, 'A');
    while (seen.status !== 'NOERROR' && Date.now() < deadline) seen = await dig(`www.${domain}`, 'A');
    expect(seen).toEqual({ status: 'NOERROR', answers: ['192.0.2.80'] });
    await withdrawFromRegistry(env, domain, 'NS');
    await publishAtRegistry(env, `_hostplane-challenge.${domain}`, 'TXT', ['hp-abc']);
    // The resolver may still hold the withdrawn delegation for its cache TTL (1 s here).
    const until = Date.now() + 20_000;
    let txt = await dig(`_hostplane-challenge.${domain}`, 'TXT');
    while (txt.status !== 'NOERROR' && Date.now() < until)
      txt = await dig(`_hostplane-challenge.${domain}`, 'TXT');
    expect(txt.answers).toEqual(['"hp-abc"']);
    await withdrawFromRegistry(env, `_hostplane-challenge.${domain}`, 'TXT');
  });
});
