import { domainToASCII } from 'node:url';
import { parse as parseHost } from 'tldts';
import { type DnsFieldError, type DnsResult, fail, ok } from './types.ts';

// Domain names enter as typed by a person (any case, IDN, trailing dot) and leave as punycode,
// lowercase, without the trailing dot: the one spelling the panel stores and compares.

const MAX_NAME_LENGTH = 253;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Owner names and targets may carry service labels (_dmarc, _tcp, s1._domainkey at a vendor).
const SERVICE_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
// IDNA full stops that UTS #46 maps to "." (ideographic, fullwidth, halfwidth).
const IDNA_DOTS = /[\u3002\uff0e\uff61]/g;

type LabelKind = 'host' | 'service' | 'owner';

/** Splits, converts each non-ASCII label to punycode and lowercases; no syntax rules yet. */
function toAsciiLabels(input: string, path: (string | number)[]): DnsResult<string[]> {
  const trimmed = input.trim().replace(IDNA_DOTS, '.');
  const withoutDot = trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
  if (withoutDot === '') return fail(path, 'required', 'a domain name is required');
  const labels: string[] = [];
  for (const label of withoutDot.split('.')) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range test
    if (/^[\x00-\x7f]*$/.test(label)) {
      labels.push(label.toLowerCase());
      continue;
    }
    const ascii = domainToASCII(label);
    if (ascii === '' || ascii.includes('.')) {
      return fail(path, 'invalid_idna', `"${label}" is not a valid internationalised label`);
    }
    labels.push(ascii);
  }
  return ok(labels);
}

function checkLabels(labels: string[], kind: LabelKind, path: (string | number)[]): DnsFieldError | null {
  for (const [index, label] of labels.entries()) {
    if (kind === 'owner' && label === '*' && index === 0) continue;
    if (label === '*') {
      return { path, code: 'wildcard', message: 'a wildcard "*" is only allowed as the leftmost label' };
    }
    const pattern = kind === 'host' ? HOST_LABEL : SERVICE_LABEL;
    if (!pattern.test(label)) {
      const allowed =
        kind === 'host' ? 'letters, digits and inner hyphens' : 'letters, digits, "_" and inner "-"';
      return {
        path,
        code: 'invalid_label',
        message: `label "${label}" must be 1-63 characters of ${allowed}`,
      };
    }
  }
  if (labels.join('.').length > MAX_NAME_LENGTH) {
    return { path, code: 'too_long', message: `a domain name has at most ${MAX_NAME_LENGTH} characters` };
  }
  return null;
}

function asciiName(input: string, kind: LabelKind, path: (string | number)[]): DnsResult<string> {
  const labels = toAsciiLabels(input, path);
  if (!labels.ok) return labels;
  const error = checkLabels(labels.value, kind, path);
  return error ? { ok: false, errors: [error] } : ok(labels.value.join('.'));
}

/**
 * A domain a customer asks to host: IDNA → punycode, lowercase, no trailing dot, LDH labels, and
 * the public suffix list (private section included, so `github.io` counts as a suffix): a public
 * suffix itself, or a name with no registrable domain under it (`localhost`, `example`), is refused.
 * `bücher.example` → `xn--bcher-kva.example` (unknown TLDs fall under the list's "*" rule).
 */
export function normalizeDomainName(input: string, path: (string | number)[] = ['name']): DnsResult<string> {
  const name = asciiName(input, 'host', path);
  if (!name.ok) return name;
  const host = parseHost(name.value, { allowPrivateDomains: true, detectIp: true });
  if (host.isIp || /^\d+$/.test(name.value.split('.').at(-1) ?? '')) {
    return fail(path, 'ip_address', 'an IP address is not a domain name');
  }
  if (host.publicSuffix === name.value) {
    return fail(path, 'public_suffix', `"${name.value}" is a public suffix; a customer hosts names under it`);
  }
  if (!host.domain) {
    return fail(path, 'no_registrable_domain', `"${name.value}" has no registrable domain`);
  }
  return ok(name.value);
}

/** The registrable domain (eTLD+1) of a normalised name, e.g. `shop.example.co.uk` → `example.co.uk`. */
export function registrableDomain(name: string): string | null {
  return parseHost(name, { allowPrivateDomains: true }).domain;
}

/** A target inside record content (CNAME, MX, NS, SRV): absolute, service labels allowed. */
export function normalizeTargetName(input: string, path: (string | number)[]): DnsResult<string> {
  const name = asciiName(input, 'service', path);
  if (!name.ok) return name;
  if (!name.value.includes('.')) {
    return fail(path, 'invalid_content', `"${name.value}" must be a fully qualified name`);
  }
  return name;
}

/**
 * The owner name of a customer's rrset: `@` for the apex, else a fully qualified name inside the
 * zone (with or without the trailing dot). Relative names are not guessed: `mail.other.com` typed in
 * the editor of `example.com` is an error, not `mail.other.com.example.com`.
 */
export function normalizeOwnerName(
  input: string,
  zone: string,
  path: (string | number)[] = ['name'],
): DnsResult<string> {
  if (input.trim() === '@') return ok(zone);
  const name = asciiName(input, 'owner', path);
  if (!name.ok) return name;
  if (!isNameWithin(name.value, zone)) {
    return fail(path, 'outside_zone', `"${name.value}" is not inside ${zone}; write the full name or "@"`);
  }
  return name;
}

/** True when `name` is `parent` itself or a name below it. */
export function isNameWithin(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}
