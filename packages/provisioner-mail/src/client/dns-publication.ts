// Asks an authoritative DNS server whether a DKIM selector's TXT record carries the expected key.
import { Resolver } from 'node:dns/promises';
import { MailUnavailableError } from '../errors.ts';
import type { DkimPublication } from '../port.ts';

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export class DnsDkimPublication implements DkimPublication {
  private readonly resolver: Resolver;

  /** `servers`: `host:port` of the authoritative servers (PDNS_DNS_ADDR locally). */
  constructor(servers: string[], timeoutMs = 2_000) {
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
    this.resolver.setServers(servers);
  }

  async isPublished(domain: string, selector: string, publicKey: string): Promise<boolean> {
    const name = `${selector}._domainkey.${domain}`;
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
