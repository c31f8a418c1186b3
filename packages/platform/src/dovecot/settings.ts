import { z } from 'zod';
import {
  absolutePathSchema,
  hostSchema,
  mailDbSchema,
  mailTargetSchema,
  portSchema,
  tlsFilesSchema,
} from '../mail-settings.ts';

export const passwordSchemeSchema = z.enum(['ARGON2ID', 'BLF-CRYPT']);
export type PasswordScheme = z.infer<typeof passwordSchemeSchema>;

const cidrSchema = z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'a CIDR range');

export const dovecotSettingsSchema = z
  .object({
    target: mailTargetSchema,
    /** `listen`: 127.0.0.1 locally, `*` in a pod. */
    listen: z.union([z.literal('*'), hostSchema]),
    ports: z.object({
      imap: portSchema,
      pop3: portSchema,
      lmtp: portSchema,
      /** Dovecot's auth service for Postfix SASL (an inet_listener: Postfix may run in another pod). */
      auth: portSchema,
      imaps: portSchema.nullable().default(null),
      pop3s: portSchema.nullable().default(null),
      /** ManageSieve (RFC 5804) for mail clients editing their own Sieve script; null: none. */
      managesieve: portSchema.nullable().default(null),
      /** Plain IMAP (STARTTLS) without the PROXY header, for the cluster's webmail; null: none. */
      internalImap: portSchema.nullable().default(null),
    }),
    paths: z.object({
      baseDir: absolutePathSchema,
      stateDir: absolutePathSchema,
      /** Root of the maildirs: `<mailRoot>/<domain>/<user>/` (CLUSTER_MAIL_ROOT in the cluster). */
      mailRoot: absolutePathSchema,
      /** Where dovecot-sql.conf.ext is placed. */
      sqlConfig: absolutePathSchema,
    }),
    /** Unix ids owning every maildir (vmail); they bound valid uids so no other account can be used. */
    mailUser: z.object({
      uid: z.number().int().min(1),
      gid: z.number().int().min(1),
      /** The group's name: mail processes reach the Sieve dict socket through it. */
      group: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .default('vmail'),
    }),
    internalUser: z.string().default('dovecot'),
    loginUser: z.string().default('dovenull'),
    /** Read-only user on the mail tables. */
    mailDb: mailDbSchema,
    /** Scheme assumed for a stored hash without a {SCHEME} prefix; rows carry the prefix anyway. */
    defaultPasswordScheme: passwordSchemeSchema.default('ARGON2ID'),
    postmasterAddress: z.string().regex(/^[^\s@]+@[^\s@]+$/),
    /** doveadm's HTTP API for the panel's live reads (quota usage): its port and key. The key goes into
     * a sensitive file beside sqlConfig (dovecot-doveadm.conf.ext). Null: none. */
    doveadm: z
      .object({
        port: portSchema,
        apiKey: z.string().regex(/^[A-Za-z0-9_-]{16,}$/, '16+ letters, digits, _ or -'),
      })
      .nullable()
      .default(null),
    /** Sieve (Pigeonhole) on delivery: the panel's scripts from the mail DB (a dict), the user's own
     * ManageSieve script after them; vacation replies and redirects leave through `submission`, Postfix's
     * reinjection listener (no SASL, trusted by address). Null: no Sieve. */
    sieve: z
      .object({
        submission: z.object({ host: hostSchema, port: portSchema }),
        /** Where the dict's SQL file is placed (beside sqlConfig: it holds the same credentials). */
        dictConfig: absolutePathSchema,
      })
      .nullable()
      .default(null),
    /** Issue 17: moving mail into Junk trains Rspamd as spam, out of Junk as ham (IMAPSieve). `dir` holds
     * the pipe program and the two scripts (renderSpamLearningFiles); the controller's password, where it
     * has one, is read from `passwordFile` (a sensitive file the mail user can read). Null: no learning. */
    spamLearning: z
      .object({
        controller: z.object({ host: hostSchema, port: portSchema }),
        passwordFile: absolutePathSchema.nullable().default(null),
        dir: absolutePathSchema,
      })
      .nullable()
      .default(null),
    tls: tlsFilesSchema.extend({ dhPath: absolutePathSchema.optional() }).nullable(),
    /** Ranges allowed to send a PROXY header (Traefik in ingress-system); cluster only. */
    proxyTrustedNetworks: z.array(cidrSchema).default([]),
  })
  .refine((s) => s.spamLearning === null || s.sieve !== null, {
    message: 'spam learning runs Sieve scripts: it needs sieve',
    path: ['spamLearning'],
  })
  .refine((s) => s.target === 'cluster' || s.proxyTrustedNetworks.length === 0, {
    message: 'the PROXY protocol is for the cluster target only',
    path: ['proxyTrustedNetworks'],
  });

export type DovecotSettingsInput = z.input<typeof dovecotSettingsSchema>;
export type DovecotSettings = z.output<typeof dovecotSettingsSchema>;
