import { CUSTOMER_RECORD_TYPES, MAX_RECORDS_PER_RRSET, MAX_TTL, MIN_TTL } from '@hostplane/domain';
import { z } from 'zod';

// Record bodies are checked here for shape only; the API then runs the zone's rules
// (validateRrset of @hostplane/domain: canonical content, apex, read-only platform records, CNAME
// exclusivity), the same functions the DNS target builds its desired state with.

export const recordType = z.enum(CUSTOMER_RECORD_TYPES);
export type RecordType = z.infer<typeof recordType>;

const ownerName = z
  .string()
  .min(1)
  .max(300)
  .describe('fully qualified name inside the domain, or "@" for the apex');
const ttl = z.number().int().min(MIN_TTL).max(MAX_TTL);
const contents = z
  .array(z.string().min(1).max(4096))
  .min(1)
  .max(MAX_RECORDS_PER_RRSET)
  .describe('contents in presentation format, e.g. "10 mail.example.com." for MX');

export const createRecordBody = z
  .object({ name: ownerName, type: recordType, ttl: ttl.optional(), records: contents })
  .strict();
export type CreateRecordBody = z.infer<typeof createRecordBody>;

/** PUT …/records/{type}/{fqdn}: name and type come from the path (when repeated in the body they must match). */
export const putRecordBody = z
  .object({ name: ownerName.optional(), type: recordType.optional(), ttl: ttl.optional(), records: contents })
  .strict();
export type PutRecordBody = z.infer<typeof putRecordBody>;

export const recordFqdnParam = ownerName;

export const recordSchema = z
  .object({
    name: z.string(),
    type: z.string().describe('a customer type, or SOA/NS/MX/TXT/CAA… for platform-managed rrsets'),
    ttl: z.number().int(),
    records: z.array(z.string()),
    managed: z.boolean().describe('platform-managed: read-only for the customer'),
    reason: z.string().optional().describe('why a managed rrset is read-only'),
  })
  .meta({ id: 'DnsRecord' });
export type DnsRecord = z.infer<typeof recordSchema>;
