import { CRONJOB_NAME_PATTERN } from '@hostplane/domain';
import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { siteName } from './sites.ts';

export const cronJobName = z
  .string()
  .regex(CRONJOB_NAME_PATTERN, 'lowercase letters, digits and "-", starting with a letter, at most 20');

const command = z
  .string()
  .min(1)
  .max(4096)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL cannot reach a container's argv
  .regex(/^[^\u0000]*$/, 'no NUL characters');
const concurrencyPolicy = z.enum(['Forbid', 'Allow', 'Replace']);

export const createCronJobBody = z
  .object({
    name: cronJobName,
    schedule: z
      .string()
      .min(1)
      .max(100)
      .describe('standard cron: minute hour day-of-month month day-of-week'),
    command: command.describe('run by /bin/sh -c in the site image, working directory = the document root'),
    timeZone: z.string().max(64).optional().describe('IANA time zone; default the cluster’s (UTC)'),
    suspended: z.boolean().default(false),
    concurrencyPolicy: concurrencyPolicy.default('Forbid'),
  })
  .strict();

export const updateCronJobBody = z
  .object({
    schedule: z.string().min(1).max(100).optional(),
    command: command.optional(),
    timeZone: z.string().max(64).nullable().optional(),
    suspended: z.boolean().optional(),
    concurrencyPolicy: concurrencyPolicy.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field');

export const cronJobParams = z.object({ id: idParam, name: siteName, cron: cronJobName }).strict();

export const cronRunSchema = z
  .object({
    job: z.string(),
    state: z.enum(['Running', 'Succeeded', 'Failed']),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    exitCode: z.number().int().nullable(),
    logTail: z.string().describe('the last lines the run printed'),
  })
  .meta({ id: 'CronRun' });

export const cronJobSchema = z
  .object({
    name: z.string(),
    schedule: z.string(),
    command: z.string(),
    timeZone: z.string().nullable(),
    suspended: z.boolean(),
    concurrencyPolicy,
    lastRuns: z.array(cronRunSchema).describe('newest first; empty when the panel cannot read the cluster'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'CronJob' });
export type CronJob = z.infer<typeof cronJobSchema>;
export type CronRun = z.infer<typeof cronRunSchema>;
