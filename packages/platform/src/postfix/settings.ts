import { z } from 'zod';
import {
  absolutePathSchema,
  endpointSchema,
  hostSchema,
  mailDbSchema,
  mailTargetSchema,
  portSchema,
  tlsFilesSchema,
} from '../mail-settings.ts';

export const postfixSettingsSchema = z.object({
  target: mailTargetSchema,
  hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/),
  /** `inet_interfaces`: 127.0.0.1 locally, `all` in a pod. */
  listen: z.union([z.literal('all'), hostSchema]),
  inetProtocols: z.enum(['ipv4', 'ipv6', 'all']).default('ipv4'),
  ports: z.object({
    smtp: portSchema,
    submission: portSchema,
    /** Implicit-TLS submission; needs `tls`. */
    smtps: portSchema.nullable(),
    /** Submission for tenant sites inside the cluster: SASL required, no PROXY header, no XCLIENT or
     * XFORWARD — the client address is the socket's. Null: no such listener. */
    internalSubmission: portSchema.nullable().default(null),
    /** Dovecot's Sieve output (vacation replies, redirects): no SASL, trusted by client address only
     * (`reinjectionNetworks`, else mynetworks = loopback). Null: no such listener. */
    reinjection: portSchema.nullable().default(null),
  }),
  /** Client ranges allowed on the reinjection listener (the cluster's pod network, fenced further by a
   * NetworkPolicy to mail-system); empty: the loopback of mynetworks. */
  reinjectionNetworks: z.array(z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'a CIDR range')).default([]),
  paths: z.object({
    /** Where main.cf, master.cf and the mysql map files live (postfix -c). */
    configDir: absolutePathSchema,
    queueDirectory: absolutePathSchema,
    dataDirectory: absolutePathSchema,
  }),
  mailOwner: z.string().default('postfix'),
  setgidGroup: z.string().default('postdrop'),
  /** Read-only user on the mail tables. */
  mailDb: mailDbSchema,
  lmtp: endpointSchema,
  dovecotAuth: endpointSchema,
  rspamdMilter: endpointSchema,
  tls: tlsFilesSchema.nullable(),
  messageSizeLimitBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
});

export type PostfixSettingsInput = z.input<typeof postfixSettingsSchema>;
export type PostfixSettings = z.output<typeof postfixSettingsSchema>;

/** mynetworks holds loopback alone, and no restriction permits it: relaying needs SASL auth. */
export const POSTFIX_MYNETWORKS = '127.0.0.0/8 [::1]/128';

/** A main.cf parameter of our own, named by the submission services' smtpd_sender_restrictions. */
export const SUBMISSION_SENDER_RESTRICTIONS = 'hostplane_submission_sender_restrictions';

export const MAP_FILES = {
  domains: 'mysql-virtual-mailbox-domains.cf',
  mailboxes: 'mysql-virtual-mailbox-maps.cf',
  aliases: 'mysql-virtual-alias-maps.cf',
  mailboxIdentity: 'mysql-virtual-mailbox-identity.cf',
  senderLogins: 'mysql-sender-login-maps.cf',
  saslAccess: 'mysql-sasl-access.cf',
} as const;
