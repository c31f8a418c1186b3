import type { StackEnv } from '@hostplane/localstack/stack-env';

// The local internet's TLD registry (REGISTRY_API_URL, a PowerDNS holding `test.`): a test plays
// registrar here, delegating a customer's domain to the platform's name servers, or publishing a
// TXT record at a DNS host that is not the platform, exactly as a domain owner would.

const TLD = 'test.';
const abs = (name: string) => (name.endsWith('.') ? name : `${name}.`);

interface RegistryRrset {
  name: string;
  type: string;
  ttl?: number;
  records: string[];
}

async function patchTld(env: StackEnv, rrsets: Array<RegistryRrset & { changetype: 'REPLACE' | 'DELETE' }>) {
  const url = env.REGISTRY_API_URL;
  const key = env.REGISTRY_API_KEY;
  if (!url || !key)
    throw new Error('the stack has no registry (REGISTRY_API_URL); run: npx hostplane stack up');
  const response = await fetch(`${url}/api/v1/servers/localhost/zones/${TLD}`, {
    method: 'PATCH',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      rrsets: rrsets.map((r) => ({
        name: abs(r.name),
        type: r.type,
        ttl: r.ttl ?? 60,
        changetype: r.changetype,
        records: r.records.map((content) => ({ content, disabled: false })),
      })),
    }),
  });
  if (!response.ok) throw new Error(`registry PATCH: ${response.status} ${await response.text()}`);
}

/** The platform's name servers of the stack's default platform config. */
export const PLATFORM_NAMESERVERS = ['ns1.hostplane.test', 'ns2.hostplane.test'];

/** Registrar: delegates `domain` (a name directly under `test`) to the given name servers. */
export async function delegateDomain(
  env: StackEnv,
  domain: string,
  nameservers: readonly string[] = PLATFORM_NAMESERVERS,
): Promise<void> {
  await patchTld(env, [{ name: domain, type: 'NS', records: nameservers.map(abs), changetype: 'REPLACE' }]);
}

/** A record the registry serves itself (the domain's DNS host is not the platform), e.g. the challenge TXT. */
export async function publishAtRegistry(
  env: StackEnv,
  name: string,
  type: string,
  records: string[],
): Promise<void> {
  const content = type === 'TXT' ? records.map((r) => (r.startsWith('"') ? r : `"${r}"`)) : records;
  await patchTld(env, [{ name, type, records: content, changetype: 'REPLACE' }]);
}

/** Removes a delegation or a record from the registry. */
export async function withdrawFromRegistry(env: StackEnv, name: string, type: string): Promise<void> {
  await patchTld(env, [{ name, type, records: [], changetype: 'DELETE' }]);
}

/** The registry's own name server: it also plays "another DNS host" for domains not on the platform. */
export const OTHER_DNS_HOST = 'ns.nic.test';

async function registryApi(env: StackEnv, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${env.REGISTRY_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': env.REGISTRY_API_KEY ?? '', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404 && response.status !== 422)
    throw new Error(`registry ${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/**
 * The domain is hosted by a DNS provider that is not the platform (the registry's own server plays
 * it): a zone there with the given records, and the delegation in `test.` pointing at it.
 */
export async function hostElsewhere(
  env: StackEnv,
  domain: string,
  rrsets: Array<{ name: string; type: string; records: string[] }> = [],
): Promise<void> {
  await registryApi(env, 'DELETE', `/zones/${abs(domain)}`);
  await registryApi(env, 'POST', '/zones', {
    name: abs(domain),
    kind: 'Native',
    nameservers: [abs(OTHER_DNS_HOST)],
    rrsets: rrsets.map((r) => ({
      name: abs(r.name),
      type: r.type,
      ttl: 60,
      records: (r.type === 'TXT' ? r.records.map((v) => `"${v}"`) : r.records).map((content) => ({
        content,
        disabled: false,
      })),
    })),
  });
  await delegateDomain(env, domain, [OTHER_DNS_HOST]);
}

/** Undoes hostElsewhere: the zone at the other DNS host and the delegation. */
export async function dropElsewhere(env: StackEnv, domain: string): Promise<void> {
  await registryApi(env, 'DELETE', `/zones/${abs(domain)}`);
  await withdrawFromRegistry(env, domain, 'NS');
}
