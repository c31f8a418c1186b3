import type { StackContext } from '../component.ts';
import { PLATFORM_DNS_HOST, REGISTRY_DNS_HOST, STACK_HOST } from '../ports.ts';
import { REGISTRY_DB } from './mariadb.ts';
import { type AuthoritativeSpec, authoritativeComponent, localPlatformNames } from './pdns.ts';
import type { SeedZone } from './pdns-api.ts';

// The TLD registry of the local internet (DESIGN.md §5, §9): a second PowerDNS Authoritative on its
// own database, holding the root zone `.` and the TLD zone `test.`. Tests play registrar through
// its API (REGISTRY_API_URL + REGISTRY_API_KEY): an NS rrset for `shop.test` in `test.` delegates
// that domain, exactly as on the internet. The platform's zone is delegated here with glue, so the
// resolver finds the platform's name servers from the root down.

/** The registry's own name server; the resolver's root hints point at it. */
export const REGISTRY_NAMESERVER = 'ns.nic.test';
export const TLD_ZONE = 'test';

const abs = (name: string) => `${name}.`;

function soa(ttl = 3600): SeedZone['rrsets'][number]['records'] {
  // Negative answers cached for at most 60 s by anyone who honours the SOA minimum.
  return [`${abs(REGISTRY_NAMESERVER)} hostmaster.nic.test. 1 10800 3600 604800 ${Math.min(ttl, 60)}`];
}

function rootZone(): SeedZone {
  return {
    name: '.',
    account: 'hostplane:registry',
    rrsets: [
      { name: '.', type: 'SOA', ttl: 3600, records: soa() },
      { name: '.', type: 'NS', ttl: 3600, records: [abs(REGISTRY_NAMESERVER)] },
      { name: abs(TLD_ZONE), type: 'NS', ttl: 3600, records: [abs(REGISTRY_NAMESERVER)] },
      { name: abs(REGISTRY_NAMESERVER), type: 'A', ttl: 3600, records: [REGISTRY_DNS_HOST] },
    ],
  };
}

function tldZone(): SeedZone {
  const platform = localPlatformNames();
  return {
    name: abs(TLD_ZONE),
    account: 'hostplane:registry',
    rrsets: [
      { name: abs(TLD_ZONE), type: 'SOA', ttl: 3600, records: soa() },
      { name: abs(TLD_ZONE), type: 'NS', ttl: 3600, records: [abs(REGISTRY_NAMESERVER)] },
      { name: abs(REGISTRY_NAMESERVER), type: 'A', ttl: 3600, records: [REGISTRY_DNS_HOST] },
      // The platform's zone, delegated to its own name servers, with glue (they live inside it).
      { name: abs(platform.zone), type: 'NS', ttl: 3600, records: platform.nameservers.map(abs) },
      ...platform.nameservers
        .filter((ns) => ns.endsWith(`.${platform.zone}`))
        .map((ns) => ({ name: abs(ns), type: 'A', ttl: 3600, records: [PLATFORM_DNS_HOST] })),
    ],
  };
}

export const REGISTRY_SPEC: AuthoritativeSpec = {
  name: 'registry',
  database: REGISTRY_DB,
  dnsPort: (ctx) => ctx.ports.registryDns,
  apiPort: (ctx) => ctx.ports.registryApi,
  apiKey: (ctx) => ctx.secrets.registryApiKey,
  publicAddress: REGISTRY_DNS_HOST,
  dependsOn: ['mariadb'],
  seedZones: () => [rootZone(), tldZone()],
};

export function registryApiUrl(ctx: StackContext): string {
  return `http://${STACK_HOST}:${ctx.ports.registryApi}`;
}

export const registry = authoritativeComponent(REGISTRY_SPEC);
