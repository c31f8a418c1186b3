import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { domainName } from './names.ts';
import { recordFqdnParam, recordType } from './records.ts';

export const createDomainBody = z
  .object({
    name: domainName,
    dns: z.boolean().default(true),
    mail: z.boolean().default(true),
    dnssec: z.boolean().default(false),
  })
  .strict();
export type CreateDomainBody = z.infer<typeof createDomainBody>;

export const updateDomainBody = z
  .object({ dns: z.boolean().optional(), mail: z.boolean().optional(), dnssec: z.boolean().optional() })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field');
export type UpdateDomainBody = z.infer<typeof updateDomainBody>;

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
    dkim: z.object({ selector: z.string(), publicKey: z.string() }).nullable(),
    ds: z
      .array(z.string())
      .describe(
        'DS records of the signed zone for the registrar ("<key tag> <algorithm> <digest type> <digest>"), as the DNS target last read them; empty while unsigned or pending',
      ),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Domain' });
export type Domain = z.infer<typeof domainSchema>;
