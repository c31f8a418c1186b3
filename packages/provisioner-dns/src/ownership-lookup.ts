import { Resolver } from 'node:dns/promises';
import { challengeName, type OwnershipLookup, type OwnershipObservation } from '@hostplane/domain';

/** Answers that mean "no such data", not "the resolver failed". */
const NO_DATA = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

/**
 * Reads a domain's NS set and its challenge TXT through a recursive resolver (`host:port`), the way
 * any resolver on the internet sees them: from the root down, never from the platform's own
 * authoritative server (which the customer controls). Node's c-ares client, one channel per check
 * so no earlier negative answer is reused.
 */
export class RecursiveOwnershipLookup implements OwnershipLookup {
  constructor(
    /** `host:port` of the resolver; the system's resolvers (resolv.conf) when undefined. */
    private readonly resolverAddress: string | undefined,
    private readonly options: { timeoutMs?: number; tries?: number } = {},
  ) {}

  async observe(domain: string, signal?: AbortSignal): Promise<OwnershipObservation> {
    const resolver = new Resolver({
      timeout: this.options.timeoutMs ?? 3_000,
      tries: this.options.tries ?? 2,
    });
    if (this.resolverAddress) resolver.setServers([this.resolverAddress]);
    const onAbort = () => resolver.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    const errors: string[] = [];
    const ask = async <T>(what: string, query: () => Promise<T[]>): Promise<T[] | null> => {
      try {
        return await query();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (NO_DATA.has(code)) return [];
        errors.push(`${what}: ${code || (error as Error).message}`);
        return null;
      }
    };
    try {
      const [ns, txt] = await Promise.all([
        ask(`NS ${domain}`, () => resolver.resolveNs(domain)),
        ask(`TXT ${challengeName(domain)}`, () => resolver.resolveTxt(challengeName(domain))),
      ]);
      return {
        nameservers: ns?.map((host) => host.toLowerCase().replace(/\.$/, '')) ?? null,
        txt: txt?.map((strings) => strings.join('')) ?? null,
        errors,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
