// Plain data shared by the DNS desired-state functions, the planner and the PowerDNS adapter.
// Names are fqdn, punycode, lowercase, WITHOUT a trailing dot; record contents are in presentation
// format as PowerDNS prints them (absolute names in contents end with a dot).

/** The types a customer may edit (DESIGN §6 `…/records`); SOA is the platform's alone. */
export const CUSTOMER_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS'] as const;
export type CustomerRecordType = (typeof CUSTOMER_RECORD_TYPES)[number];

export interface Rrset {
  name: string;
  type: string;
  ttl: number;
  records: string[];
}

/** An rrset the platform computes; `managed` ones are read-only for the customer. */
export interface PlatformRrset extends Rrset {
  managed: boolean;
}

export type DnsErrorCode =
  | 'required'
  | 'invalid_syntax'
  | 'invalid_idna'
  | 'invalid_label'
  | 'too_long'
  | 'ip_address'
  | 'public_suffix'
  | 'no_registrable_domain'
  | 'outside_zone'
  | 'wildcard'
  | 'invalid_content'
  | 'out_of_range'
  | 'cname_at_apex'
  | 'cname_conflict'
  | 'cname_single'
  | 'ns_at_apex'
  | 'read_only'
  | 'spf_managed'
  | 'too_many_records';

/** One problem with a field; `path` follows the request body (e.g. ["records", 2]). */
export interface DnsFieldError {
  path: (string | number)[];
  code: DnsErrorCode;
  message: string;
}

export type DnsResult<T> = { ok: true; value: T } | { ok: false; errors: DnsFieldError[] };

export function ok<T>(value: T): DnsResult<T> {
  return { ok: true, value };
}

export function fail<T>(path: (string | number)[], code: DnsErrorCode, message: string): DnsResult<T> {
  return { ok: false, errors: [{ path, code, message }] };
}
