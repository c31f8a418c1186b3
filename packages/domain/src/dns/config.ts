import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { normalizeTargetName } from './names.ts';

// The platform's DNS settings: what every hosted zone gets by default. Parsed once at boot by the
// composition root (a bad value fails fast with the field's path).

const hostname = z.string().transform((value, ctx) => {
  const name = normalizeTargetName(value, []);
  if (!name.ok) {
    ctx.addIssue({ code: 'custom', message: name.errors[0]?.message ?? 'invalid host name' });
    return z.NEVER;
  }
  return name.value;
});

const ttl = z.number().int().min(60).max(604800);

export const dnsPlatformConfigSchema = z.object({
  /** The platform's authoritative name servers: apex NS of every zone, first one is the SOA MNAME. */
  nameservers: z.array(hostname).min(1),
  soa: z
    .object({
      /** SOA RNAME as a mail address (hostmaster@example.net) or in DNS form (hostmaster.example.net). */
      contact: z.string().min(3),
      refresh: z.number().int().positive().default(10800),
      retry: z.number().int().positive().default(3600),
      expire: z.number().int().positive().default(604800),
      /** Negative-caching TTL. */
      minimum: z.number().int().positive().default(3600),
    })
    .prefault({ contact: 'hostmaster@hostplane.invalid' }),
  /** TTL of the platform's default rrsets and of customer rrsets sent without one. */
  defaultTtl: ttl.default(3600),
  /** Addresses of the platform's ingress: apex and www A/AAAA of every hosted domain. */
  publicIPv4: z.array(z.string().refine((a) => isIPv4(a), 'an IPv4 address')).default([]),
  publicIPv6: z.array(z.string().refine((a) => isIPv6(a), 'an IPv6 address')).default([]),
  mail: z
    .object({
      /** MX target and SRV target of mail-enabled domains. */
      host: hostname,
      mxPreference: z.number().int().min(0).max(65535).default(10),
      spf: z.string().startsWith('v=spf1').default('v=spf1 mx -all'),
      dmarcPolicy: z.enum(['none', 'quarantine', 'reject']).default('quarantine'),
      /** Aggregate-report address for DMARC (`rua=mailto:…`); none when unset. */
      dmarcRua: z.email().optional(),
      submissionPort: z.number().int().min(1).max(65535).default(587),
      imapsPort: z.number().int().min(1).max(65535).default(993),
      /** Target of the autoconfig/autodiscover CNAMEs; the mail host when unset. */
      autoconfigHost: hostname.optional(),
    })
    .optional(),
  /** CAA `issue` value of the platform's ACME issuer; no CAA record when null. */
  caaIssuer: z
    .string()
    .regex(/^[a-z0-9.-]+$/)
    .nullable()
    .default('letsencrypt.org'),
  zoneKind: z.enum(['Native', 'Master']).default('Native'),
  /** PowerDNS SOA-EDIT-API of created zones: the serial moves on every change through the API. */
  soaEditApi: z.enum(['DEFAULT', 'INCREASE', 'EPOCH']).default('DEFAULT'),
  /** Ownership mark written into each zone's `account` field: `${accountPrefix}:cust-{id}`. */
  accountPrefix: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('hostplane'),
});

export type DnsPlatformConfigInput = z.input<typeof dnsPlatformConfigSchema>;
export type DnsPlatformConfig = z.output<typeof dnsPlatformConfigSchema>;

/** The `account` value that marks a zone as owned by this customer. */
export function zoneAccount(config: Pick<DnsPlatformConfig, 'accountPrefix'>, customerId: number): string {
  return `${config.accountPrefix}:cust-${customerId}`;
}
