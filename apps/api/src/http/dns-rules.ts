import { customerZoneRows, type DnsRecordRecord, type DomainRecord, type PanelDatabase } from '@hostplane/db';
import {
  type DnsFieldError,
  type DnsRecordRow,
  normalizeOwnerName,
  type RecordContext,
  type RrsetInput,
  recordContextFor,
  validateRrset,
} from '@hostplane/domain';
import type { Kysely } from 'kysely';
import { AppError, BadRequestError, type FieldError, UnprocessableError } from '../errors.ts';

// The API runs the same record rules the DNS target builds desired state with (@hostplane/domain),
// so what is stored is already canonical and a second reconcile finds nothing to change.

const SYNTAX_CODES = new Set([
  'required',
  'invalid_syntax',
  'invalid_idna',
  'invalid_label',
  'too_long',
  'invalid_content',
  'out_of_range',
  'too_many_records',
]);

function toFieldErrors(errors: DnsFieldError[]): FieldError[] {
  return errors.map((e) => ({ path: e.path.join('.'), in: 'body' as const, message: e.message }));
}

/** A platform-managed rrset (SOA, apex NS/CAA, mail records): the customer may not change it. */
export function readOnlyRecord(detail: string, errors: FieldError[]): AppError {
  return new AppError(409, 'read-only-record', 'Record is managed by the platform', detail, errors);
}

/**
 * Syntax errors are 400; a platform-managed rrset is 409; other zone rules (apex, CNAME clashes)
 * are 422.
 */
export function dnsProblem(errors: DnsFieldError[]): AppError {
  const detail = errors.map((e) => `${e.path.join('.') || 'body'}: ${e.message}`).join('; ');
  if (errors.some((e) => e.code === 'read_only')) return readOnlyRecord(detail, toFieldErrors(errors));
  return errors.every((e) => SYNTAX_CODES.has(e.code))
    ? new BadRequestError(detail, toFieldErrors(errors))
    : new UnprocessableError(detail, toFieldErrors(errors), 'dns-rule');
}

/** The zone context of the domain an rrset is edited through: the customer's domains and rrsets. */
export async function recordContext(
  trx: Kysely<PanelDatabase>,
  customerId: number,
  domain: DomainRecord,
): Promise<RecordContext> {
  const domains = await customerZoneRows(trx, customerId);
  const rows = domains.map((d) => ({ ...d, records: d.records.map(toRow) }));
  return recordContextFor(rows, domain.name);
}

export function toRow(r: DnsRecordRecord): DnsRecordRow {
  return { name: r.name, type: r.type, ttl: r.ttl, records: r.records };
}

export function checkRrset(input: RrsetInput, ctx: RecordContext): DnsRecordRow {
  const result = validateRrset(input, ctx);
  if (!result.ok) throw dnsProblem(result.errors);
  return result.value;
}

/** The owner name of a path (`…/records/{type}/{fqdn}`), normalised against the zone. */
export function ownerFromPath(fqdn: string, ctx: RecordContext): string {
  const result = normalizeOwnerName(fqdn, ctx.zone, ['fqdn']);
  if (!result.ok) throw dnsProblem(result.errors);
  return result.value;
}
