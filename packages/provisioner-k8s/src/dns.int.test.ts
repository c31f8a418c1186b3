import { tenantNamespace } from '@hostplane/domain';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsHostResolver } from './host-resolver.ts';
import { KINDS } from './kinds.ts';
import {
  converge,
  customer,
  customerId,
  type Harness,
  ingressHosts,
  PLATFORM_IPV4,
  site,
  startHarness,
  verifiedDomain,
} from './test-support/harness.ts';

let h: Harness;
const id = customerId();
const ns = tenantNamespace(id);
let zone: string;

async function pdns(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${h.env.PDNS_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': h.env.PDNS_API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`PowerDNS ${method} ${path}: ${response.status} ${await response.text()}`);
}

beforeAll(async () => {
  h = await startHarness();
  zone = `k8s-${h.run}.test`;
  // The zone exists from the start, without a record for web.{zone} (NXDOMAIN).
  await pdns('POST', '/zones', {
    name: `${zone}.`,
    kind: 'Native',
    nameservers: [],
    rrsets: [
      {
        name: `elsewhere.${zone}.`,
        type: 'A',
        ttl: 60,
        changetype: 'REPLACE',
        records: [{ content: '198.51.100.7', disabled: false }],
      },
    ],
  });
});

afterAll(async () => {
  if (!h) return; // beforeAll failed: its error is the report
  await converge(h, { ...customer(id), deleting: true }, 60);
  await pdns('DELETE', `/zones/${zone}.`).catch((error: Error) => {
    if (!/404|Could not find/.test(error.message)) throw error;
  });
  await h.close();
});

describe('TLS only once DNS points at the platform', () => {
  it('serves a host that does not resolve over HTTP and says AwaitingDNS', async () => {
    const snapshot = customer(id, {
      domains: [verifiedDomain(zone)],
      sites: [site('web', { domains: [`web.${zone}`] })],
    });
    const outcome = await converge(h, snapshot);
    expect(outcome).toMatchObject({ status: 'True', reason: 'AwaitingDNS' });
    expect(outcome.message).toContain(`web.${zone} resolves to nothing`);
    const http = await h.admin.get(KINDS.Ingress, ns, 'web-http');
    expect(
      http?.metadata.annotations?.['traefik.ingress.kubernetes.io/router.tls.certresolver'],
    ).toBeUndefined();
    expect(await h.admin.get(KINDS.Ingress, ns, 'web')).toBeNull();
  });

  it('adds the certresolver once the record exists in PowerDNS, and names hosts pointing elsewhere', async () => {
    // PowerDNS may answer from its negative cache for a while: wait until the record is visible.
    await pdns('PATCH', `/zones/${zone}.`, {
      rrsets: [
        {
          name: `web.${zone}.`,
          type: 'A',
          ttl: 60,
          changetype: 'REPLACE',
          records: [{ content: PLATFORM_IPV4, disabled: false }],
        },
      ],
    });
    const resolver = new DnsHostResolver(h.env.PDNS_DNS_ADDR);
    await waitFor(
      `web.${zone} to resolve to the platform`,
      async () => (await resolver.resolve(`web.${zone}`)).includes(PLATFORM_IPV4),
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const snapshot = customer(id, {
      domains: [verifiedDomain(zone)],
      sites: [site('web', { domains: [`web.${zone}`, `elsewhere.${zone}`] })],
    });
    const outcome = await converge(h, snapshot);
    expect(outcome).toMatchObject({ status: 'True', reason: 'AwaitingDNS' });
    expect(outcome.message).toContain(`elsewhere.${zone} resolves to 198.51.100.7`);

    const tls = await h.admin.get(KINDS.Ingress, ns, 'web');
    expect(tls?.metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
      'traefik.ingress.kubernetes.io/router.tls.certresolver': 'letsencrypt',
    });
    expect(ingressHosts(tls)).toEqual([`web.${zone}`]);
    const redirect = await h.admin.get(KINDS.Ingress, ns, 'web-redirect');
    expect(redirect?.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares']).toBe(
      `${ns}-https-redirect@kubernetescrd`,
    );
    const http = await h.admin.get(KINDS.Ingress, ns, 'web-http');
    expect(ingressHosts(http)).toEqual([`elsewhere.${zone}`]);
    const hosts = h.siteStatus.get(id)?.[0]?.hosts;
    expect(hosts).toEqual([
      { host: `elsewhere.${zone}`, tls: false, resolvesTo: ['198.51.100.7'] },
      { host: `web.${zone}`, tls: true, resolvesTo: [PLATFORM_IPV4] },
    ]);
  });
});
