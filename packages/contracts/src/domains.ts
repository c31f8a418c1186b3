import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { domainName, newDomainName } from './names.ts';
import { recordFqdnParam, recordType } from './records.ts';

export const createDomainBody = z
  .object({
    name: newDomainName,
    dns: z.boolean().default(true),
    mail: z.boolean().default(true),
    dnssec: z.boolean().default(false),
    webmail: z.boolean().default(false),
  })
  .strict();
export type CreateDomainBody = z.infer<typeof createDomainBody>;

export const updateDomainBody = z
  .object({
    dns: z.boolean().optional(),
    mail: z.boolean().optional(),
    dnssec: z.boolean().optional(),
    webmail: z.boolean().optional().describe('webmail.{domain} opens the platform webmail'),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field');
export type UpdateDomainBody = z.infer<typeof updateDomainBody>;

/** `POST …/domains/{name}/verify`: no body asks for a check now; `{method: "admin"}` (admins only) marks it by hand. */
export const verifyDomainBody = z
  .object({ method: z.literal('admin').optional(), note: z.string().max(500).optional() })
  .strict();
export type VerifyDomainBody = z.infer<typeof verifyDomainBody>;

export const domainVerificationSchema = z
  .object({
    state: z.enum(['Pending', 'Verified', 'Failed']),
    method: z.enum(['ns', 'txt', 'admin']).nullable(),
    token: z
      .string()
      .describe(
        'proof by TXT: `_hostplane-challenge.{domain}` holds this value; or delegate the domain to the platform',
      ),
    checkedAt: timestamp.nullable(),
    message: z.string(),
  })
  .meta({ id: 'DomainVerification' });

export const domainParams = z.object({ id: idParam, name: domainName }).strict();
export const recordParams = z
  .object({ id: idParam, name: domainName, type: recordType, fqdn: recordFqdnParam })
  .strict();

export const domainSchema = z
  .object({
    name: z.string(),
    dns: z.boolean(),
    mail: z.boolean(),
    dnssec: z.boolean(),
    webmail: z.boolean().describe('webmail.{domain} is a host of the platform webmail'),
    dkim: z.object({ selector: z.string(), publicKey: z.string() }).nullable(),
    ds: z
      .array(z.string())
      .describe(
        'DS records of the signed zone for the registrar ("<key tag> <algorithm> <digest type> <digest>"), as the DNS target last read them; empty while unsigned or pending',
      ),
    verification: domainVerificationSchema.describe(
      'ownership: until Verified, no mail domain, no routed site host and no certificate exist for the name',
    ),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Domain' });
export type Domain = z.infer<typeof domainSchema>;
