import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// PowerDNS of the local stack: a zone written through its HTTP API is served over DNS (UDP), read
// back with dig as any resolver would.

const execFileAsync = promisify(execFile);
const env = loadStackEnv();
const [dnsHost, dnsPort] = env.PDNS_DNS_ADDR.split(':') as [string, string];
const zone = `it-${randomBytes(4).toString('hex')}.hostplane-test.`;

async function api(method: string, path: string, body?: unknown, key = env.PDNS_API_KEY): Promise<Response> {
  return fetch(`${env.PDNS_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function dig(name: string, type: string): Promise<string[]> {
  // +notcp: UDP only (the default, stated so the test says what it checks); +norecurse: authoritative.
  const { stdout } = await execFileAsync('dig', [
    `@${dnsHost}`,
    '-p',
    dnsPort,
    '+notcp',
    '+norecurse',
    '+short',
    '+time=2',
    '+tries=2',
    name,
    type,
  ]);
  return stdout.trim().split('\n').filter(Boolean);
}

describe('PowerDNS on the local stack', () => {
  beforeAll(async () => {
    const response = await api('POST', '/zones', {
      name: zone,
      kind: 'Native',
      nameservers: [],
      rrsets: [
        {
          name: zone,
          type: 'SOA',
          ttl: 3600,
          records: [
            { content: `ns1.${zone} hostmaster.${zone} 2026112601 10800 3600 604800 3600`, disabled: false },
          ],
        },
        { name: zone, type: 'NS', ttl: 3600, records: [{ content: `ns1.${zone}`, disabled: false }] },
        { name: zone, type: 'MX', ttl: 3600, records: [{ content: `10 mail.${zone}`, disabled: false }] },
        { name: `mail.${zone}`, type: 'A', ttl: 3600, records: [{ content: '192.0.2.25', disabled: false }] },
      ],
    });
    expect(response.status, await response.clone().text()).toBe(201);
  });

  afterAll(async () => {
    await api('DELETE', `/zones/${zone}`);
  });

  it('answers SOA for a zone created through the API', async () => {
    const soa = await dig(zone, 'SOA');
    expect(soa).toHaveLength(1);
    const [mname, rname, serial] = soa[0]!.split(' ');
    expect(mname).toBe(`ns1.${zone}`);
    expect(rname).toBe(`hostmaster.${zone}`);
    expect(Number(serial)).toBeGreaterThanOrEqual(2026112601);
  });

  it('answers MX and the mail host address', async () => {
    expect(await dig(zone, 'MX')).toEqual([`10 mail.${zone}`]);
    expect(await dig(`mail.${zone}`, 'A')).toEqual(['192.0.2.25']);
  });

  it('serves a record changed through the API (PATCH replaces the rrset)', async () => {
    const response = await api('PATCH', `/zones/${zone}`, {
      rrsets: [
        {
          name: zone,
          type: 'MX',
          ttl: 3600,
          changetype: 'REPLACE',
          records: [{ content: `20 mx2.${zone}`, disabled: false }],
        },
      ],
    });
    expect(response.status).toBe(204);
    expect(await dig(zone, 'MX')).toEqual([`20 mx2.${zone}`]);
  });

  it('refuses the API without the right key', async () => {
    const response = await api('GET', '/zones', undefined, 'not-the-key-0000000000');
    expect(response.status).toBe(401);
  });

  it('does not answer for a zone it does not hold (REFUSED, no data)', async () => {
    const { stdout } = await execFileAsync('dig', [
      `@${dnsHost}`,
      '-p',
      dnsPort,
      '+norecurse',
      '+time=2',
      `absent-${zone}`,
      'SOA',
    ]);
    expect(stdout).toMatch(/status: REFUSED/);
  });
});
