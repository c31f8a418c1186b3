import { z } from 'zod';
import { idParam, password, quantity, quantityToNumber, timestamp } from './common.ts';
import { mailAddress, mailboxAddress, toAsciiHostname } from './names.ts';

/** A mailbox quota: a quantity above zero (Dovecot reads 0 as "no limit"; the database refuses it). */
const mailboxQuota = quantity.refine((q) => {
  try {
    return quantityToNumber(q) > 0;
  } catch {
    return true; // not a quantity at all: the pattern above already says so
  }
}, 'must be more than 0');

export const createMailboxBody = z
  .object({
    address: mailboxAddress,
    password,
    quota: mailboxQuota.default('1Gi'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateMailboxBody = z.infer<typeof createMailboxBody>;

export const updateMailboxBody = z
  .object({ password: password.optional(), quota: mailboxQuota.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field');
export type UpdateMailboxBody = z.infer<typeof updateMailboxBody>;

export const mailboxParams = z.object({ id: idParam, address: mailAddress }).strict();

const instant = z.iso.datetime({ offset: true });

/** DESIGN.md §6: an out-of-office reply, sent once per sender per `intervalDays` (Sieve vacation,
 * RFC 3834 headers), between `startsAt` and `endsAt` when given. */
export const autoresponderBody = z
  .object({
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((s) => !/[\r\n\0]/.test(s), 'one line, no control characters'),
    body: z
      .string()
      .min(1)
      .max(10_000)
      .refine((s) => !s.includes('\0'), 'no NUL characters'),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    intervalDays: z.number().int().min(1).max(90).default(7),
  })
  .strict()
  .refine((b) => !b.startsAt || !b.endsAt || Date.parse(b.endsAt) > Date.parse(b.startsAt), {
    message: 'must be after startsAt',
    path: ['endsAt'],
  });
export type AutoresponderBody = z.infer<typeof autoresponderBody>;

/** Forwarding: every message also (keepCopy, the default) or only goes to `destinations`. */
export const forwardingBody = z
  .object({ destinations: z.array(mailAddress).min(1).max(20), keepCopy: z.boolean().default(true) })
  .strict();
export type ForwardingBody = z.infer<typeof forwardingBody>;

/** An advanced user's own Sieve script (RFC 5228), compiled by Dovecot's sievec before it is saved. */
export const customSieveBody = z
  .object({
    script: z
      .string()
      .min(1)
      .max(64 * 1024)
      .refine((s) => !s.includes('\0'), 'no NUL characters'),
  })
  .strict();
export type CustomSieveBody = z.infer<typeof customSieveBody>;

/** A sender on a spam allow or block list: an address, or `@domain` for everyone at a domain. */
const spamSender = z
  .string()
  .max(254)
  .transform((value, ctx) => {
    if (value.startsWith('@')) {
      const host = toAsciiHostname(value.slice(1));
      if (host?.includes('.')) return `@${host}`;
    } else {
      const parsed = mailAddress.safeParse(value);
      if (parsed.success && !parsed.data.includes('/')) return parsed.data.toLowerCase();
    }
    ctx.addIssue({ code: 'custom', message: 'must be an address or @domain' });
    return z.NEVER;
  });

const spamScore = z.number().min(0.1).max(1000).multipleOf(0.01);

/** Issue 17: a mailbox's spam settings. Rspamd scores mail; from `junkScore` it goes to the mailbox's
 * Junk folder, from `rejectScore` (null: never) it is refused at SMTP time (when every recipient of the
 * message refuses it). Allowed senders are never junked or refused; blocked senders are refused. */
export const spamBody = z
  .object({
    junkScore: spamScore.default(6),
    rejectScore: spamScore.nullable().default(15),
    allow: z.array(spamSender).max(200).default([]),
    block: z.array(spamSender).max(200).default([]),
  })
  .strict()
  .refine((b) => b.rejectScore === null || b.rejectScore > b.junkScore, {
    message: 'must be above junkScore (or null: never refuse)',
    path: ['rejectScore'],
  })
  .refine((b) => !b.allow.some((a) => b.block.includes(a)), {
    message: 'a sender cannot be both allowed and blocked',
    path: ['block'],
  });
export type SpamBody = z.infer<typeof spamBody>;

export const spamSettingsSchema = z
  .object({
    junkScore: z.number(),
    rejectScore: z.number().nullable(),
    allow: z.array(z.string()),
    block: z.array(z.string()),
  })
  .meta({ id: 'SpamSettings' });

const autoresponderSchema = z.object({
  subject: z.string(),
  body: z.string(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  intervalDays: z.number().int(),
});
export const mailUsageSchema = z
  .object({
    bytes: z.number().int(),
    messages: z.number().int(),
    percent: z.number().nullable(),
    warning: z.enum(['warning', 'critical']).nullable(),
  })
  .meta({ id: 'MailUsage' });

/** GET /customers/{id}/mail-usage: every mailbox together against the plan's mail storage. */
export const customerMailUsageSchema = z
  .object({
    bytes: z.number().int(),
    messages: z.number().int(),
    /** Sum of the mailboxes' quotas. */
    allocatedBytes: z.number().int(),
    /** The plan's mailboxQuota (all mailboxes together). */
    planBytes: z.number().int(),
    percent: z.number().nullable(),
    warning: z.enum(['warning', 'critical']).nullable(),
    /** Mailboxes Dovecot could not report (not yet provisioned, or Dovecot unreachable). */
    unknown: z.array(z.string()),
  })
  .meta({ id: 'CustomerMailUsage' });

const forwardingSchema = z.object({ destinations: z.array(z.string()), keepCopy: z.boolean() });

export const mailboxSchema = z
  .object({
    address: z.string(),
    quota: z.string(),
    quotaBytes: z.number().int(),
    enabled: z.boolean(),
    autoresponder: autoresponderSchema.nullable(),
    forwarding: forwardingSchema.nullable(),
    /** The customer's own Sieve script, or null. */
    customSieve: z.string().nullable(),
    /** Spam thresholds and sender lists (the defaults unless set with PUT …/spam). */
    spam: spamSettingsSchema,
    /** In lists only: what Dovecot counts now (all folders); null when it cannot say. Warning at 80 %
     * (`warning`) and 95 % (`critical`) of the quota. */
    usage: mailUsageSchema.nullable().optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Mailbox' });
export type Mailbox = z.infer<typeof mailboxSchema>;

/** An alias source: an address, or "@domain" for a catch-all. */
export const aliasSource = z
  .string()
  .max(254)
  .transform((value, ctx) => {
    if (value.startsWith('@')) {
      const host = toAsciiHostname(value.slice(1));
      if (host?.includes('.')) return `@${host}`;
    } else {
      const parsed = mailAddress.safeParse(value);
      if (parsed.success) return parsed.data;
    }
    ctx.addIssue({ code: 'custom', message: 'must be an address or @domain for a catch-all' });
    return z.NEVER;
  });

export const createAliasBody = z
  .object({ source: aliasSource, destinations: z.array(mailAddress).min(1).max(50) })
  .strict();
export type CreateAliasBody = z.infer<typeof createAliasBody>;

export const aliasParams = z.object({ id: idParam, source: aliasSource }).strict();

export const aliasSchema = z
  .object({ source: z.string(), destinations: z.array(z.string()), createdAt: timestamp })
  .meta({ id: 'Alias' });
export type Alias = z.infer<typeof aliasSchema>;
