import { normalizeDomainName, normalizeTargetName } from '@hostplane/domain';
import { z } from 'zod';

/**
 * IDNA to ASCII (punycode), lowercase, LDH labels: the name rules of @hostplane/domain (one rule set
 * for the API and the DNS target), without the public-suffix check; null when not a host name.
 */
export function toAsciiHostname(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  const result = normalizeTargetName(trimmed, []);
  if (!result.ok) return null;
  const host = result.value;
  // Service labels (_dmarc) belong in records, not in host names; an all-digit TLD is an address.
  if (host.includes('_') || /^\d+$/.test(host.split('.').at(-1) ?? '')) return null;
  return host;
}

/**
 * A domain a customer may hold: the DNS rules of @hostplane/domain (IDNA → punycode, lowercase,
 * LDH labels, public suffix list with its private section). Unknown TLDs (".test") pass.
 */
export const domainName = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const result = normalizeDomainName(value, []);
    if (result.ok) return result.value;
    for (const error of result.errors) ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  });

/**
 * The name of a domain to add: as `domainName`, except that a public suffix or a name without a
 * registrable domain passes through (unnormalised) so the route can refuse it with 422 on the field
 * `name`, like the platform's reserved names.
 */
export const newDomainName = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const result = normalizeDomainName(value, []);
    if (result.ok) return result.value;
    if (result.errors.every((e) => e.code === 'public_suffix' || e.code === 'no_registrable_domain'))
      return value;
    for (const error of result.errors) ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  });

/** A host name (site domains, record targets): IDNA-normalised, any number of labels, wildcard allowed first. */
export const hostName = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const wildcard = value.startsWith('*.');
    const host = toAsciiHostname(wildcard ? value.slice(2) : value);
    if (!host?.includes('.')) {
      ctx.addIssue({ code: 'custom', message: 'must be a host name such as www.example.com' });
      return z.NEVER;
    }
    return wildcard ? `*.${host}` : host;
  });

/** A mail address with an IDNA-normalised domain part; local part kept as given but lowercased. */
export const mailAddress = z
  .string()
  .max(254)
  .transform((value, ctx) => {
    const at = value.lastIndexOf('@');
    const local = value.slice(0, at).toLowerCase();
    const host = at > 0 ? toAsciiHostname(value.slice(at + 1)) : null;
    if (
      !host ||
      !/^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(local) ||
      local.startsWith('.') ||
      local.endsWith('.') ||
      local.includes('..')
    ) {
      ctx.addIssue({ code: 'custom', message: 'must be a mail address such as info@example.com' });
      return z.NEVER;
    }
    return `${local}@${host}`;
  });

/**
 * A mailbox's own address: a mail address whose local part also names a directory (the Maildir
 * path), so no "/" in it (nor "..", already refused for every address).
 */
export const mailboxAddress = mailAddress.superRefine((value, ctx) => {
  if (value.slice(0, value.lastIndexOf('@')).includes('/'))
    ctx.addIssue({ code: 'custom', message: 'a mailbox address cannot contain "/"' });
});
