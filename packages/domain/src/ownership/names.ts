import { parse as parseHost } from 'tldts';
import { normalizeDomainName, registrableDomain } from '../dns/names.ts';

// Names a customer may not hold, and the rules that bind a site's hosts to the customer's domains.

export interface NameIssue {
  path: (string | number)[];
  message: string;
}

const within = (name: string, parent: string) => name === parent || name.endsWith(`.${parent}`);

/**
 * Why `name` is one of the platform's (panel, name servers, mail host, its zone) or lies under or
 * above one of them; null when it is free.
 */
export function reservedNameReason(name: string, reserved: readonly string[]): string | null {
  for (const own of reserved) {
    if (within(name, own) || within(own, name)) {
      return name === own
        ? `${name} is one of the platform's own names`
        : `${name} overlaps ${own}, one of the platform's own names`;
    }
  }
  return null;
}

/**
 * Why `name` is at or above a public suffix (`co.uk`, `uk`, `github.io`), or `*.{suffix}` spans one;
 * null when it has a registrable domain of its own. The list's `*` rule makes any unknown TLD
 * (the stack's `test`) a suffix too.
 */
export function publicSuffixReason(name: string, extraSuffixes: readonly string[] = []): string | null {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  if (extraSuffixes.some((suffix) => within(suffix, bare))) return `${bare} is at or above a public suffix`;
  const parsed = parseHost(bare, { allowPrivateDomains: true });
  if (!parsed.domain || parsed.publicSuffix === bare) return `${bare} is at or above a public suffix`;
  return null;
}

function hostIssue(host: string, input: SiteHostInput): string | null {
  const wildcard = host.startsWith('*.');
  const bare = wildcard ? host.slice(2) : host;
  const reserved = reservedNameReason(bare, input.reserved);
  if (reserved) return reserved;
  if (wildcard && publicSuffixReason(host)) return `${host} spans a public suffix`;
  const owner = input.domains
    .filter((d) => within(bare, d.name))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!owner) return `${host} is not under one of this customer's domains; add the domain first`;
  if (wildcard && !input.domains.some((d) => d.verified && within(bare, d.name))) {
    return `a wildcard host needs a verified domain; ${owner.name} is not verified yet`;
  }
  return null;
}

export interface SiteHostInput {
  hosts: readonly string[];
  www: boolean;
  /** The customer's own domains, verified or not. */
  domains: ReadonlyArray<{ name: string; verified: boolean }>;
  reserved: readonly string[];
}

/**
 * Every host of a site equals or lies under one of the customer's own domains; a wildcard host
 * needs that domain verified and is never at or above a public suffix; `www: true` does not go with
 * a wildcard; the platform's names are never a site's. Each issue names the field (`domains.2`).
 */
export function siteHostIssues(input: SiteHostInput): NameIssue[] {
  const issues: NameIssue[] = [];
  for (const [index, host] of input.hosts.entries()) {
    const issue = hostIssue(host, input);
    if (issue) issues.push({ path: ['domains', index], message: issue });
  }
  if (input.www && input.hosts.some((host) => host.startsWith('*.'))) {
    issues.push({ path: ['www'], message: 'www cannot be added to a wildcard host' });
  }
  return issues;
}

/**
 * Why a customer may not add the domain `name`: not a domain name, one of the platform's own names
 * (or under or above one), or at or above a public suffix. Null when it may be added.
 */
export function customerDomainRefusal(name: string, reserved: readonly string[]): string | null {
  const normalized = normalizeDomainName(name, ['name']);
  if (!normalized.ok) return normalized.errors[0]?.message ?? 'not a domain a customer can hold';
  return reservedNameReason(name, reserved) ?? publicSuffixReason(name);
}

/**
 * The name a domain's claim is held under (docs/dns.md rule 4): its registrable domain, whose every
 * name belongs to one customer (`shop.example.com` claims `example.com`).
 */
export function domainClaimKey(name: string): string {
  return registrableDomain(name) ?? name;
}
