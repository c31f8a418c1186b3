// TXT content: a sequence of character-strings of at most 255 bytes each (RFC 1035 §3.3.14).
// Presentation format: each string in double quotes, `\"` and `\\` escaped, other bytes outside
// printable ASCII as `\DDD`. A long value is split into 255-byte strings; resolvers and DKIM/SPF
// verifiers join them back without separators, so split + join is lossless.

export const TXT_STRING_MAX = 255;

const encoder = new TextEncoder();

/** Parses presentation format (quoted strings, or bare words) into byte strings; null when malformed. */
export function parseTxtStrings(content: string): Uint8Array[] | null {
  const strings: Uint8Array[] = [];
  let i = 0;
  while (i < content.length) {
    const ch = content[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const quoted = ch === '"';
    const parsed = readString(content, quoted ? i + 1 : i, quoted);
    if (!parsed) return null;
    strings.push(Uint8Array.from(parsed.bytes));
    i = parsed.next;
  }
  return strings;
}

function readString(
  content: string,
  start: number,
  quoted: boolean,
): { bytes: number[]; next: number } | null {
  const bytes: number[] = [];
  let i = start;
  while (i < content.length) {
    const ch = content[i] as string;
    if (quoted && ch === '"') return { bytes, next: i + 1 };
    if (!quoted && (ch === ' ' || ch === '\t')) return { bytes, next: i };
    if (!quoted && ch === '"') return null;
    if (ch === '\\') {
      const digits = /^\d{3}/.exec(content.slice(i + 1, i + 4));
      if (digits) {
        const value = Number(digits[0]);
        if (value > 255) return null;
        bytes.push(value);
        i += 4;
        continue;
      }
      const escaped = content[i + 1];
      if (escaped === undefined) return null;
      bytes.push(...encoder.encode(escaped));
      i += 2;
      continue;
    }
    const codePoint = content.codePointAt(i) as number;
    if (codePoint < 0x80) {
      // ASCII (nearly every TXT value): the byte is the code point; no encoder call per character.
      bytes.push(codePoint);
      i++;
      continue;
    }
    const char = String.fromCodePoint(codePoint);
    bytes.push(...encoder.encode(char));
    i += char.length;
  }
  return quoted ? null : { bytes, next: i };
}

/** One character-string in canonical presentation form. */
function formatTxtString(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Splits bytes into strings of at most 255 bytes; an empty value stays one empty string. */
export function splitTxtBytes(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += TXT_STRING_MAX)
    parts.push(bytes.subarray(at, at + TXT_STRING_MAX));
  return parts;
}

/** Canonical TXT content: every string re-split to ≤255 bytes, quoted and escaped. */
export function formatTxtStrings(strings: readonly Uint8Array[]): string {
  return strings
    .flatMap((s) => splitTxtBytes(s))
    .map(formatTxtString)
    .join(' ');
}

/** TXT content for a plain text value (UTF-8), split into 255-byte strings. */
export function txtContentFromText(text: string): string {
  return formatTxtStrings([new TextEncoder().encode(text)]);
}

/** The value a verifier sees: all strings joined without separators, decoded as UTF-8. */
export function txtTextFromContent(content: string): string | null {
  const strings = parseTxtStrings(content);
  if (!strings) return null;
  const total = strings.reduce((sum, s) => sum + s.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const s of strings) {
    joined.set(s, at);
    at += s.length;
  }
  return new TextDecoder().decode(joined);
}
