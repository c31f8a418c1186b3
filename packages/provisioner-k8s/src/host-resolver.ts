import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { KubeError } from './errors.ts';
import type { HostResolver } from './port.ts';

/** Answers that mean "this name has no address (here)", not "DNS is broken". */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA', 'EREFUSED', 'ESERVFAIL', 'ENONAME']);

/** A and AAAA through one configured DNS server, `host:port` (in the local stack, PowerDNS). */
export class DnsHostResolver implements HostResolver {
  constructor(
    private readonly serverAddress: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async resolve(host: string): Promise<string[]> {
    // A channel per lookup: c-ares keeps a per-channel answer cache, and a pass must see a record
    // the moment it exists, not when an earlier negative answer expires.
    const resolver = new Resolver({ timeout: this.options.timeoutMs ?? 2000, tries: 2 });
    resolver.setServers([this.serverAddress]);
    const [v4, v6] = await Promise.all([
      this.lookup(() => resolver.resolve4(host)),
      this.lookup(() => resolver.resolve6(host)),
    ]);
    return [...v4, ...v6.map(normalizeAddress)].sort();
  }

  private async lookup(query: () => Promise<string[]>): Promise<string[]> {
    try {
      return await query();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_ADDRESS.has(code)) return [];
      throw new KubeError('Unavailable', `DNS lookup failed: ${(error as Error).message}`, 0);
    }
  }
}

/** Lowercase, compressed IPv6 (as the URL parser prints it); IPv4 unchanged. */
export function normalizeAddress(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** True when the host has addresses and every one of them is the platform's. */
export function resolvesToPlatform(
  addresses: string[],
  platform: { ipv4: string[]; ipv6: string[] },
): boolean {
  const own = new Set([...platform.ipv4, ...platform.ipv6].map(normalizeAddress));
  return addresses.length > 0 && addresses.every((address) => own.has(normalizeAddress(address)));
}
