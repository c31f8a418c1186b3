import { PLAN_LIMIT_DEFAULTS } from '@hostplane/domain';
import { z } from 'zod';
import { displayName, quantity, timestamp } from './common.ts';

const count = (max: number) => z.number().int().min(0).max(max);
/** php.ini shorthand bytes: a number with K, M or G, e.g. "256M". */
export const phpBytes = z.string().regex(/^[1-9][0-9]{0,5}[KMG]$/, 'php.ini bytes such as 128M or 1G');

export const planLimitsSchema = z
  .object({
    cpu: quantity.describe('CPU for all of the customer\'s pods, e.g. "2" or "1500m"'),
    memory: quantity.describe('memory for all pods, e.g. "4Gi"'),
    storage: quantity.describe('total volume storage, e.g. "20Gi"'),
    sites: count(1000),
    domains: count(10_000),
    mailboxes: count(100_000),
    mailboxQuota: quantity.describe('sum of every mailbox quota, e.g. "10Gi"'),
    databases: count(1000),
    backupRetentionDays: z
      .number()
      .int()
      .min(1, 'must be at least 1 day (Velero reads a TTL of 0 as its own default)')
      .max(3650),
    aliases: count(100_000).optional().describe(`default ${PLAN_LIMIT_DEFAULTS.aliases}`),
    destinationsPerAlias: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(`default ${PLAN_LIMIT_DEFAULTS.destinationsPerAlias}`),
    dnsRecords: count(100_000)
      .optional()
      .describe(`rrsets over all zones, default ${PLAN_LIMIT_DEFAULTS.dnsRecords}`),
    backupsPerDay: count(100).optional().describe(`default ${PLAN_LIMIT_DEFAULTS.backupsPerDay}`),
    restoresPerDay: count(100).optional().describe(`default ${PLAN_LIMIT_DEFAULTS.restoresPerDay}`),
    outboundSmtp: z
      .boolean()
      .optional()
      .describe(
        `tenant pods may connect to port 25 on the internet, default ${PLAN_LIMIT_DEFAULTS.outboundSmtp}: mail leaves through the platform's submission service`,
      ),
    phpMemoryLimit: phpBytes
      .optional()
      .describe(`highest memory_limit a site may set, default ${PLAN_LIMIT_DEFAULTS.phpMemoryLimit}`),
    phpUploadMaxFilesize: phpBytes
      .optional()
      .describe(`highest upload_max_filesize, default ${PLAN_LIMIT_DEFAULTS.phpUploadMaxFilesize}`),
    phpMaxExecutionTime: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .optional()
      .describe(`highest max_execution_time in seconds, default ${PLAN_LIMIT_DEFAULTS.phpMaxExecutionTime}`),
    cronJobs: count(1000)
      .optional()
      .describe(`cron jobs over all sites, default ${PLAN_LIMIT_DEFAULTS.cronJobs}`),
  })
  .strict()
  .meta({ id: 'PlanLimits' });
export type PlanLimitsBody = z.infer<typeof planLimitsSchema>;

export const planNameSchema = displayName.max(60);

export const createPlanBody = z.object({ name: planNameSchema, limits: planLimitsSchema }).strict();
export const updatePlanBody = z
  .object({ name: planNameSchema.optional(), limits: planLimitsSchema.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.limits !== undefined, 'give name or limits');
export type CreatePlanBody = z.infer<typeof createPlanBody>;
export type UpdatePlanBody = z.infer<typeof updatePlanBody>;

export const planSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    limits: z.object({
      cpu: z.string(),
      memory: z.string(),
      storage: z.string(),
      sites: z.number().int(),
      domains: z.number().int(),
      mailboxes: z.number().int(),
      mailboxQuota: z.string(),
      databases: z.number().int(),
      backupRetentionDays: z.number().int(),
      aliases: z.number().int(),
      destinationsPerAlias: z.number().int(),
      dnsRecords: z.number().int(),
      backupsPerDay: z.number().int(),
      restoresPerDay: z.number().int(),
      outboundSmtp: z.boolean(),
      phpMemoryLimit: z.string(),
      phpUploadMaxFilesize: z.string(),
      phpMaxExecutionTime: z.number().int(),
      cronJobs: z.number().int(),
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Plan' });
export type Plan = z.infer<typeof planSchema>;
