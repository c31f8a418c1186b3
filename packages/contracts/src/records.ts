import { z } from 'zod';
import { toAsciiHostname } from './names.ts';

export const recordTypes = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'] as const;
export const recordType = z.enum(recordTypes);
export type RecordType = z.infer<typeof recordType>;

const OWNER_LABEL = /^(?:\*|_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?|_[a-z0-9-]+)$/;

/** An owner name: IDNA-normalised, labels may start with "_" (_dmarc, _sip._tcp) and the first may be "*". */
export const recordName = z
  .string()
  .min(1)
  .max(253)
  .transform((value, ctx) => {
    const lowered = value.trim().toLowerCase().replace(/\.$/, '');
    const labels = lowered.split('.');
    const ascii = labels.map((label) =>
      label.startsWith('_') || label === '*' ? label : toAsciiHostname(label),
    );
    if (labels.length < 2 || ascii.some((l, i) => !l || !OWNER_LABEL.test(l) || (l === '*' && i > 0))) {
      ctx.addIssue({ code: 'custom', message: 'must be a fully qualified name inside the domain' });
      return z.NEVER;
    }
    return ascii.join('.');
  });

const target = (value: string): string | null => {
  if (value === '.') return '.';
  const host = toAsciiHostname(value);
  return host ? `${host}.` : null;
};

/** Checks one record content for its type and returns its presentation form, or null when invalid. */
export function normalizeRecordContent(type: RecordType, raw: string): string | null {
  const value = raw.trim();
  const parts = value.split(/\s+/);
  const uint = (s: string | undefined, max: number) => s !== undefined && /^\d+$/.test(s) && Number(s) <= max;
  switch (type) {
    case 'A':
      return z.ipv4().safeParse(value).success ? value : null;
    case 'AAAA':
      return z.ipv6().safeParse(value).success ? value.toLowerCase() : null;
    case 'CNAME':
    case 'NS':
      return target(value);
    case 'MX': {
      const host = parts.length === 2 && uint(parts[0], 65535) ? target(parts[1]!) : null;
      return host ? `${Number(parts[0])} ${host}` : null;
    }
    case 'SRV': {
      const ok = parts.length === 4 && parts.slice(0, 3).every((p) => uint(p, 65535));
      const host = ok ? target(parts[3]!) : null;
      return host ? `${parts.slice(0, 3).map(Number).join(' ')} ${host}` : null;
    }
    case 'CAA':
      return /^\d{1,3} (issue|issuewild|iodef) "[^"]{0,255}"$/.test(value) && Number(parts[0]) <= 255
        ? value
        : null;
    case 'TXT':
      return normalizeTxt(value);
  }
}

/** TXT content in presentation form: quoted strings of at most 255 bytes each. */
function normalizeTxt(value: string): string | null {
  if (value.length === 0 || value.length > 4000 || /[\p{Cc}]/u.test(value)) return null;
  if (/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(value)) return value;
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const chunks = escaped.match(/(?:\\.|[^\\]){1,255}/g) ?? [];
  return chunks.map((c) => `"${c}"`).join(' ');
}

const contents = z.array(z.string().min(1).max(4000)).min(1).max(100);

/** Normalises every content of an rrset; `invalid` lists the indexes that are not valid for the type. */
export function checkRecordContents(
  type: RecordType,
  records: string[],
): { records: string[]; invalid: number[] } {
  const invalid: number[] = [];
  const out = records.map((r, i) => {
    const normal = normalizeRecordContent(type, r);
    if (normal === null) invalid.push(i);
    return normal ?? r;
  });
  if (type === 'CNAME' && records.length > 1) invalid.push(1);
  return { records: out, invalid };
}

export const recordTtl = z.number().int().min(60).max(604_800);

export const createRecordBody = z
  .object({ name: recordName, type: recordType, ttl: recordTtl.default(3600), records: contents })
  .strict()
  .transform((b, ctx) => {
    const { records, invalid } = checkRecordContents(b.type, b.records);
    for (const i of invalid)
      ctx.addIssue({ code: 'custom', path: ['records', i], message: `not a valid ${b.type} record` });
    return { ...b, records };
  });
export type CreateRecordBody = z.infer<typeof createRecordBody>;

/** PUT …/records/{type}/{fqdn}: name and type come from the path (when repeated in the body they must match). */
export const putRecordBody = z
  .object({
    name: recordName.optional(),
    type: recordType.optional(),
    ttl: recordTtl.default(3600),
    records: contents,
  })
  .strict();
export type PutRecordBody = z.infer<typeof putRecordBody>;

export const recordSchema = z
  .object({ name: z.string(), type: recordType, ttl: z.number().int(), records: z.array(z.string()) })
  .meta({ id: 'DnsRecord' });
export type DnsRecord = z.infer<typeof recordSchema>;
