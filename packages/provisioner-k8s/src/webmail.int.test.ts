import { Resolver } from 'node:dns/promises';
import { dnsPlatformConfigSchema, tenantNamespace } from '@hostplane/domain';
import { createDnsTarget, createPowerDnsZones } from '@hostplane/provisioner-dns';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from './kinds.ts';
import {
  converge,
  customer,
  customerId,
  type Harness,
  ingressHosts,
  PLATFORM_IPV4,
  passContext,
  startHarness,
  verifiedDomain,
} from './test-support/harness.ts';

// Issue 17: `webmail.{domain}` as a host of the platform's webmail, when the customer turns it on: the
// DNS target publishes webmail.{domain} → the platform in the customer's zone (asked of the stack's
// PowerDNS over DNS), the Kubernetes target routes the host to mail-system's webmail from the tenant
// namespace (ExternalName Service + Ingress), the suspended page while suspended, nothing once off.

let h: Harness;
const id = customerId();
const ns = tenantNamespace(id);
let zone: string;
let dns: ReturnType<typeof createDnsTarget>;

const snapshotWith = (webmail: boolean, suspended = false) =>
  customer(id, { suspended, domains: [{ ...verifiedDomain(zone), dns: true, webmail }] });

async function resolveA(name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([h.env.PDNS_DNS_ADDR]);
  return resolver.resolve4(name).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTFOUND' || error.code === 'ENODATA') return [];
    throw error;
  });
}

beforeAll(async () => {
  h = await startHarness();
  zone = `wm-${h.run}.test`;
  const config = dnsPlatformConfigSchema.parse({
    nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
    soa: { contact: 'hostmaster@hostplane.test' },
    publicIPv4: [PLATFORM_IPV4],
  });
  dns = createDnsTarget({
    zones: createPowerDnsZones({ apiUrl: h.env.PDNS_API_URL, apiKey: h.env.PDNS_API_KEY }),
    config,
  });
});

afterAll(async () => {
  if (!h) return; // beforeAll failed: its error is the report
  await converge(h, { ...snapshotWith(false), deleting: true }, 60);
  await dns.run({ ...snapshotWith(false), deleting: true }, passContext(h.log));
  await h.close();
});

describe('webmail.{domain} of a customer domain', () => {
  it('publishes webmail.{domain} in PowerDNS and routes it to the platform webmail', async () => {
    expect(await dns.run(snapshotWith(true), passContext(h.log))).toMatchObject({ status: 'True' });
    const host = `webmail.${zone}`;
    await waitFor(
      `${host} to resolve to the platform in PowerDNS`,
      async () => (await resolveA(host)).includes(PLATFORM_IPV4),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(await converge(h, snapshotWith(true))).toMatchObject({ status: 'True' });
    const service = await h.admin.get(KINDS.Service, ns, 'webmail');
    expect(service?.spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'webmail.mail-system.svc.cluster.local',
    });
    // The host resolves to the platform: TLS from the certresolver, and the HTTP redirect.
    const ingress = await h.admin.get(KINDS.Ingress, ns, 'hostplane.webmail');
    expect(ingressHosts(ingress)).toEqual([host]);
    expect(ingress?.metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/router.tls.certresolver': 'letsencrypt',
    });
    expect(ingressHosts(await h.admin.get(KINDS.Ingress, ns, 'hostplane.webmail-redirect'))).toEqual([host]);
  });

  it('sends the host to the suspended page while the customer is suspended', async () => {
    expect(await converge(h, snapshotWith(true, true))).toMatchObject({ status: 'True' });
    const ingress = await h.admin.get(KINDS.Ingress, ns, 'hostplane.webmail');
    const rules = ingress?.spec?.rules as { http: { paths: { backend: unknown }[] } }[];
    expect(rules[0]?.http.paths[0]?.backend).toEqual({
      service: { name: 'suspended-page', port: { number: 8080 } },
    });
    expect(await h.admin.get(KINDS.Service, ns, 'webmail')).toBeNull();
  });

  it('removes the record and the routes once webmail is off', async () => {
    expect(await dns.run(snapshotWith(false), passContext(h.log))).toMatchObject({ status: 'True' });
    await waitFor(
      `webmail.${zone} to be gone from PowerDNS`,
      async () => (await resolveA(`webmail.${zone}`)).length === 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(await converge(h, snapshotWith(false))).toMatchObject({ status: 'True' });
    expect(await h.admin.get(KINDS.Ingress, ns, 'hostplane.webmail')).toBeNull();
    expect(await h.admin.get(KINDS.Service, ns, 'webmail')).toBeNull();
  });
});
