import { z } from 'zod';
import type { DnsRecordRow, DomainRow } from '../snapshot.ts';
import { canonicalContent } from './content.ts';
import { isMailDomainName, isSpfText, type ManagedScope, managedReason } from './managed.ts';
import { normalizeOwnerName } from './names.ts';
import { txtTextFromContent } from './txt.ts';
import { CUSTOMER_RECORD_TYPES, type DnsFieldError, type DnsResult, fail, ok } from './types.ts';
import { zoneApexes, zoneForName } from './zones.ts';

// The customer's record editor: one rrset in, a canonical DnsRecordRow or field-path errors out.
// Pure: the API passes the zone's context (its other rrsets, which domains have mail).

export const MIN_TTL = 60;
export const MAX_TTL = 604800;
export const MAX_RECORDS_PER_RRSET = 100;

export const rrsetInputSchema = z.object({
  name: z.string().min(1).max(300),
  type: z.enum(CUSTOMER_RECORD_TYPES),
  ttl: z.number().int().optional(),
  records: z.array(z.string().max(4096)).min(1),
});
export type RrsetInput = z.input<typeof rrsetInputSchema>;

export interface RecordContext extends ManagedScope {
  /** The customer's rrsets already in this zone (the one being replaced may be among them). */
  existing: readonly DnsRecordRow[];
  defaultTtl?: number;
}

/** The context of an rrset edited through domain `domainName`, from the customer's domain rows. */
export function recordContextFor(
  domains: readonly Pick<DomainRow, 'name' | 'dns' | 'mail' | 'webmail' | 'records'>[],
  domainName: string,
  defaultTtl?: number,
): RecordContext {
  const hosted = domains.filter((d) => d.dns);
  const apexes = zoneApexes(hosted.map((d) => d.name));
  const zone = zoneForName(domainName, apexes) ?? domainName;
  const inZone = hosted.filter((d) => zoneForName(d.name, apexes) === zone);
  return {
    zone,
    mailDomains: inZone.filter((d) => d.mail).map((d) => d.name),
    webmailDomains: inZone.filter((d) => d.webmail).map((d) => d.name),
    existing: inZone.flatMap((d) => d.records),
    ...(defaultTtl === undefined ? {} : { defaultTtl }),
  };
}

function zodErrors(error: z.ZodError): DnsFieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    code: 'invalid_syntax' as const,
    message: issue.message,
  }));
}

function canonicalRecords(type: string, records: string[]): DnsResult<string[]> {
  const errors: DnsFieldError[] = [];
  const out: string[] = [];
  records.forEach((content, index) => {
    const c = canonicalContent(type, content, ['records', index]);
    if (c.ok) out.push(c.value);
    else errors.push(...c.errors);
  });
  if (errors.length > 0) return { ok: false, errors };
  const unique = [...new Set(out)].sort();
  if (unique.length > MAX_RECORDS_PER_RRSET) {
    return fail(['records'], 'too_many_records', `at most ${MAX_RECORDS_PER_RRSET} records per rrset`);
  }
  return ok(unique);
}

/** Rules that depend on the rest of the zone: apex, read-only, CNAME exclusivity, SPF. */
function zoneRules(row: DnsRecordRow, ctx: RecordContext): DnsFieldError | null {
  const { name, type } = row;
  const readOnly = managedReason(name, type, ctx);
  if (type === 'CNAME' && name === ctx.zone) {
    return {
      path: ['name'],
      code: 'cname_at_apex',
      message: 'a CNAME is not allowed at the zone apex (RFC 1034 §3.6.2)',
    };
  }
  if (type === 'NS' && name === ctx.zone) {
    return {
      path: ['name'],
      code: 'ns_at_apex',
      message: 'NS records are only for delegations below the apex',
    };
  }
  if (readOnly) return { path: ['name'], code: 'read_only', message: `${readOnly}; it is read-only` };
  if (type === 'CNAME' && row.records.length !== 1) {
    return { path: ['records'], code: 'cname_single', message: 'a CNAME rrset holds exactly one target' };
  }
  const others = ctx.existing.filter((r) => r.name === name && r.type !== type);
  if (type === 'CNAME' && (others.length > 0 || isMailDomainName(name, ctx))) {
    const what = others.map((r) => r.type).join(', ') || 'mail records';
    return {
      path: ['type'],
      code: 'cname_conflict',
      message: `${name} already has ${what}; a CNAME cannot sit beside other data`,
    };
  }
  if (type !== 'CNAME' && others.some((r) => r.type === 'CNAME')) {
    return {
      path: ['type'],
      code: 'cname_conflict',
      message: `${name} is a CNAME; no other data can sit beside it`,
    };
  }
  if (type === 'TXT' && isMailDomainName(name, ctx)) {
    const index = row.records.findIndex((c) => isSpfText(txtTextFromContent(c) ?? ''));
    if (index >= 0) {
      return {
        path: ['records', index],
        code: 'spf_managed',
        message: 'the SPF record is managed while mail is on',
      };
    }
  }
  return null;
}

/** Validates and canonicalises one customer rrset (create or replace) against its zone. */
export function validateRrset(input: unknown, ctx: RecordContext): DnsResult<DnsRecordRow> {
  const parsed = rrsetInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const { type, records } = parsed.data;
  const name = normalizeOwnerName(parsed.data.name, ctx.zone);
  if (!name.ok) return name;
  const ttl = parsed.data.ttl ?? ctx.defaultTtl ?? 3600;
  if (ttl < MIN_TTL || ttl > MAX_TTL)
    return fail(['ttl'], 'out_of_range', `ttl must be from ${MIN_TTL} to ${MAX_TTL}`);
  const canonical = canonicalRecords(type, records);
  if (!canonical.ok) return canonical;
  const row: DnsRecordRow = { name: name.value, type, ttl, records: canonical.value };
  const error = zoneRules(row, ctx);
  return error ? { ok: false, errors: [error] } : ok(row);
}
