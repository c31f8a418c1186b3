// Asks an authoritative DNS server whether a DKIM selector's TXT record carries the expected key.

import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { MailUnavailableError } from '../errors.ts';
import type { DkimPublication } from '../port.ts';

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** `host:port` → its host and port (an IPv6 host in brackets keeps them). */
function splitHostPort(server: string): { host: string; port: string } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(server);
  return { host: m?.[1] ?? server, port: m?.[2] ?? '53' };
}

export class DnsDkimPublication implements DkimPublication {
  private readonly resolver: Resolver;
  private ready: Promise<void> | undefined;

  /** `servers`: `host:port` of the authoritative servers (PDNS_DNS_ADDR; in a cluster a Service name such
   * as `pdns.dns-system.svc:53`, looked up through the pod's resolver before the first query). */
  constructor(
    private readonly servers: string[],
    timeoutMs = 2_000,
  ) {
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  }

  /** Node's resolver takes addresses only: names are looked up once (again after a failure). */
  private useServers(): Promise<void> {
    this.ready ??= Promise.all(
      this.servers.map(async (server) => {
        const { host, port } = splitHostPort(server);
        const ip = isIP(host) ? host : (await lookup(host)).address;
        return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
      }),
    ).then(
      (addresses) => this.resolver.setServers(addresses),
      (err: unknown) => {
        this.ready = undefined;
        throw new MailUnavailableError(`DNS server ${this.servers.join(', ')}: ${(err as Error).message}`, {
          cause: err,
          reason: 'DnsUnavailable',
        });
      },
    );
    return this.ready;
  }

  async isPublished(domain: string, selector: string, publicKey: string): Promise<boolean> {
    const name = `${selector}._domainkey.${domain}`;
    await this.useServers();
    let answers: string[][];
    try {
      answers = await this.resolver.resolveTxt(name);
    } catch (err) {
      if (NOT_FOUND.has((err as NodeJS.ErrnoException).code ?? '')) return false;
      throw new MailUnavailableError(`DNS lookup of ${name} failed: ${(err as Error).message}`, {
        cause: err,
        reason: 'DnsUnavailable',
      });
    }
    // The row holds bare base64 (DER SPKI) or PEM: compare the base64 alone.
    const wanted = publicKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return answers.some((chunks) => {
      const p = /(?:^|;)\s*p=([^;]*)/.exec(chunks.join(''))?.[1] ?? '';
      return p.replace(/\s+/g, '') === wanted;
    });
  }
}
