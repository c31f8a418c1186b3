import type { DomainRow } from '@hostplane/domain';
import { answerTexts, loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerDnsClient } from './client/powerdns-client.ts';
import { type DnsProviderError, ForbiddenError, UnavailableError } from './errors.ts';
import { PowerDnsZones } from './powerdns-zones.ts';
import { createDnsTarget } from './target.ts';
import {
  domainRow,
  passContext,
  runTag,
  snapshotOf,
  testCustomerId,
  testDnsConfig,
} from './test-support/fixtures.ts';
import { ToggleProxy } from './test-support/toggle-proxy.ts';

// PowerDNS going away in the middle of a pass. The shared stack's PowerDNS is not stopped (other
// suites use it at the same time); instead the client talks to it through a proxy that this test
// closes (connection refused, as with a stopped server) after a given number of requests and then
// reopens on the same port.

const env = loadStackEnv();
const dns = env.PDNS_DNS_ADDR;
const proxy = new ToggleProxy(env.PDNS_API_URL);
const customer = testCustomerId(3);
const zoneA = `${runTag}-down-a.example`;
const zoneB = `${runTag}-down-b.example`;
const logLines: string[] = [];
let client: PowerDnsClient;
let target: ReturnType<typeof createDnsTarget>;

beforeAll(async () => {
  await proxy.start();
  client = new PowerDnsClient({ apiUrl: proxy.url, apiKey: env.PDNS_API_KEY, timeoutMs: 3000 });
  target = createDnsTarget({ zones: new PowerDnsZones(client), config: testDnsConfig });
});

afterAll(async () => {
  await proxy.start();
  await target.run(snapshotOf(customer, [], { deleting: true }), passContext());
  await proxy.stop();
});

const row = (name: string, ip: string): DomainRow =>
  domainRow(name, { records: [{ name: `api.${name}`, type: 'A', ttl: 60, records: [ip] }] });

describe('PowerDNS unavailable', () => {
  it('a pass cut off in the middle fails retryably, loses nothing, and the next pass converges', async () => {
    const first = snapshotOf(customer, [row(zoneA, '198.51.100.1')]);
    expect(await target.run(first, passContext(logLines))).toMatchObject({ status: 'True', changes: 1 });

    // Second pass: change zone A, create zone B. The proxy lets through the reads of zones A and B
    // (B: 404) and the POST creating zone B, then PowerDNS "stops": the PATCH of zone A gets
    // connection refused (and so does the cache purge of B at the end of the pass). Half the pass
    // landed, half did not.
    const second = snapshotOf(customer, [row(zoneA, '198.51.100.2'), row(zoneB, '198.51.100.3')]);
    proxy.stopAfter(3);
    const failed = await target.run(second, passContext(logLines)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UnavailableError);
    expect(failed).toMatchObject({ retryable: true, reason: 'PowerDnsUnavailable' });
    expect((failed as Error).message).toContain(`patchRrsets ${zoneA}`);
    expect(await answerTexts(dns, `api.${zoneA}`, 'A')).toEqual(['198.51.100.1']);
    expect(await answerTexts(dns, `api.${zoneB}`, 'A')).toEqual(['198.51.100.3']);

    // While it is down every pass throws the same retryable error.
    await expect(target.run(second, passContext(logLines))).rejects.toMatchObject({ retryable: true });

    // "Restarted": the next pass converges from the rows alone, then nothing is left to do.
    await proxy.start();
    expect(await target.run(second, passContext(logLines))).toMatchObject({
      status: 'True',
      reason: 'Ready',
    });
    expect(await answerTexts(dns, `api.${zoneA}`, 'A')).toEqual(['198.51.100.2']);
    expect(await answerTexts(dns, `api.${zoneB}`, 'A', { tcp: true })).toEqual(['198.51.100.3']);
    client.resetCounts();
    expect(await target.run(second, passContext(logLines))).toMatchObject({ changes: 0 });
    expect(client.counts.PATCH).toBe(0);
  });

  it('PowerDNS answering 5xx fails the pass retryably with the status, and the next pass converges', async () => {
    const third = snapshotOf(customer, [row(zoneA, '198.51.100.4'), row(zoneB, '198.51.100.3')]);
    proxy.failWith(503);
    const failed = await target.run(third, passContext(logLines)).catch((error: unknown) => error);
    proxy.failWith(null);
    expect(failed).toBeInstanceOf(UnavailableError);
    expect(failed).toMatchObject({ retryable: true, status: 503 });
    expect((failed as Error).message).toContain('503 backend unavailable');
    expect(await answerTexts(dns, `api.${zoneA}`, 'A')).toEqual(['198.51.100.2']);
    expect(await target.run(third, passContext(logLines))).toMatchObject({ status: 'True', changes: 1 });
    expect(await answerTexts(dns, `api.${zoneA}`, 'A')).toEqual(['198.51.100.4']);
  });

  it('maps a closed port to Unavailable and a wrong key to Forbidden, never revealing the key', async () => {
    const closedUrl = `http://127.0.0.1:${await ToggleProxy.closedPort()}`;
    const closed = new PowerDnsClient({
      apiUrl: closedUrl,
      apiKey: env.PDNS_API_KEY,
      timeoutMs: 2000,
    });
    const refused = await closed.listZones().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as Error).message).toContain('ECONNREFUSED');
    const wrongKey = 'wrong-key-0123456789';
    const denied = await new PowerDnsClient({ apiUrl: env.PDNS_API_URL, apiKey: wrongKey })
      .listZones()
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect((denied as DnsProviderError).retryable).toBe(false);
    for (const text of [(refused as Error).message, (denied as Error).message, ...logLines]) {
      expect(text).not.toContain(env.PDNS_API_KEY);
      expect(text).not.toContain(wrongKey);
    }
    expect(logLines.some((l) => l.includes('PowerDNS unreachable') || l.includes('dns change'))).toBe(true);
  });
});
