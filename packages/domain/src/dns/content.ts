import { isIPv4, isIPv6 } from 'node:net';
import { normalizeTargetName } from './names.ts';
import { formatTxtStrings, parseTxtStrings, txtContentFromText } from './txt.ts';
import { type DnsResult, fail, ok } from './types.ts';

// One canonical presentation form per record type. Both sides of a comparison (the desired rrsets
// and what PowerDNS answers) go through these functions, so equal data always compares equal
// whatever spelling PowerDNS or a customer used (case, trailing dots, IPv6 zero runs, TXT quoting).

type Path = (string | number)[];
type Canonicaliser = (content: string, path: Path) => DnsResult<string>;

const U16 = 65535;

function uint(text: string | undefined, max: number, what: string, path: Path): DnsResult<number> {
  if (text === undefined || !/^\d{1,5}$/.test(text) || Number(text) > max) {
    return fail(path, 'out_of_range', `${what} must be an integer from 0 to ${max}`);
  }
  return ok(Number(text));
}

/** An absolute target name, or "." (null MX / "no service" SRV). */
function target(text: string | undefined, path: Path, allowRoot: boolean): DnsResult<string> {
  if (text === undefined) return fail(path, 'invalid_content', 'a target name is missing');
  if (allowRoot && text === '.') return ok('.');
  const name = normalizeTargetName(text, path);
  return name.ok ? ok(`${name.value}.`) : name;
}

function fields(content: string): string[] {
  return content.trim().split(/\s+/);
}

const canonicalA: Canonicaliser = (content, path) => {
  const text = content.trim();
  // node's isIPv4 accepts only dotted quads without leading zeros: the canonical spelling.
  return isIPv4(text) ? ok(text) : fail(path, 'invalid_content', `"${text}" is not an IPv4 address`);
};

const canonicalAAAA: Canonicaliser = (content, path) => {
  const text = content.trim();
  if (!isIPv6(text) || text.includes('%'))
    return fail(path, 'invalid_content', `"${text}" is not an IPv6 address`);
  // The WHATWG URL serialiser compresses the longest zero run and lowercases (RFC 5952 style).
  return ok(new URL(`http://[${text}]/`).hostname.slice(1, -1));
};

const canonicalHostTarget: Canonicaliser = (content, path) => {
  const parts = fields(content);
  if (parts.length !== 1) return fail(path, 'invalid_content', 'expected one name');
  return target(parts[0], path, false);
};

const canonicalMX: Canonicaliser = (content, path) => {
  const [pref, host, extra] = fields(content);
  if (extra !== undefined) return fail(path, 'invalid_content', 'expected "<preference> <host>"');
  const p = uint(pref, U16, 'the MX preference', path);
  if (!p.ok) return p;
  const t = target(host, path, true);
  return t.ok ? ok(`${p.value} ${t.value}`) : t;
};

const canonicalSRV: Canonicaliser = (content, path) => {
  const parts = fields(content);
  if (parts.length !== 4)
    return fail(path, 'invalid_content', 'expected "<priority> <weight> <port> <target>"');
  const numbers: number[] = [];
  for (const [index, what] of ['priority', 'weight', 'port'].entries()) {
    const n = uint(parts[index], U16, `the SRV ${what}`, path);
    if (!n.ok) return n;
    numbers.push(n.value);
  }
  const t = target(parts[3], path, true);
  return t.ok ? ok(`${numbers.join(' ')} ${t.value}`) : t;
};

const canonicalCAA: Canonicaliser = (content, path) => {
  const match = /^\s*(\d{1,3})\s+([A-Za-z0-9]{1,15})\s+(.+?)\s*$/.exec(content);
  if (!match) return fail(path, 'invalid_content', 'expected "<flags> <tag> "<value>""');
  const flags = uint(match[1], 255, 'the CAA flags', path);
  if (!flags.ok) return flags;
  const rawValue = match[3] as string;
  const strings = rawValue.startsWith('"') ? parseTxtStrings(rawValue) : [new TextEncoder().encode(rawValue)];
  const only = strings?.length === 1 ? strings[0] : undefined;
  if (!only || only.length > 255) {
    return fail(path, 'invalid_content', 'the CAA value must be one string of at most 255 bytes');
  }
  return ok(`${flags.value} ${(match[2] as string).toLowerCase()} ${formatTxtStrings([only])}`);
};

/** TXT: quoted presentation input is parsed; anything else is taken as the literal text value. */
const canonicalTXT: Canonicaliser = (content, path) => {
  if (!content.trimStart().startsWith('"')) return ok(txtContentFromText(content));
  const strings = parseTxtStrings(content);
  return strings
    ? ok(formatTxtStrings(strings))
    : fail(path, 'invalid_content', 'malformed quoted TXT strings');
};

const canonicalSOA: Canonicaliser = (content, path) => {
  const parts = fields(content);
  if (parts.length !== 7) return fail(path, 'invalid_content', 'expected 7 SOA fields');
  const mname = target(parts[0], path, false);
  if (!mname.ok) return mname;
  const rname = target(parts[1], path, false);
  if (!rname.ok) return rname;
  const numbers = parts.slice(2).map((n) => (/^\d{1,10}$/.test(n) ? Number(n) : Number.NaN));
  if (numbers.some((n) => Number.isNaN(n) || n > 4294967295))
    return fail(path, 'out_of_range', 'bad SOA number');
  return ok([mname.value, rname.value, ...numbers].join(' '));
};

const CANONICALISERS: Record<string, Canonicaliser> = {
  A: canonicalA,
  AAAA: canonicalAAAA,
  CNAME: canonicalHostTarget,
  NS: canonicalHostTarget,
  MX: canonicalMX,
  SRV: canonicalSRV,
  CAA: canonicalCAA,
  TXT: canonicalTXT,
  SOA: canonicalSOA,
};

/** Canonical content of one record, or a field error. Unknown types are only trimmed. */
export function canonicalContent(type: string, content: string, path: Path = []): DnsResult<string> {
  const canonicaliser = CANONICALISERS[type.toUpperCase()];
  return canonicaliser ? canonicaliser(content, path) : ok(content.trim());
}

/** The SOA content with its serial set to `serial` (the planner compares SOAs without serials). */
export function withSoaSerial(content: string, serial: number | string): string {
  const parts = content.split(' ');
  parts[2] = String(serial);
  return parts.join(' ');
}
