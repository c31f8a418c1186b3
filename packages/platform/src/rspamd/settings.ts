import { z } from 'zod';
import {
  absolutePathSchema,
  endpointSchema,
  hostSchema,
  mailTargetSchema,
  portSchema,
} from '../mail-settings.ts';

// Modules that look things up on the Internet (DNS lists, fuzzy hashes, URL reputation). The local
// stack has no Internet: every lookup would wait for its timeout on each message.
export const NETWORK_MODULES = [
  'rbl',
  'fuzzy_check',
  'phishing',
  'asn',
  'emails',
  'url_redirector',
  'spamassassin',
  'history_redis',
] as const;

export const rspamdSettingsSchema = z.object({
  target: mailTargetSchema,
  /** Address the workers bind: 127.0.0.1 locally, `*` in a pod. */
  listen: z.union([z.literal('*'), hostSchema]),
  ports: z.object({ milter: portSchema, normal: portSchema, controller: portSchema }),
  redis: endpointSchema,
  /** Controller password (plain or an `rspamadm pw` hash); null leaves only loopback access. */
  controllerPassword: z.string().regex(/^\S+$/).nullable().default(null),
  dkim: z.object({
    /** Key files `<keysDir>/<domain>.<selector>.key` (mounted Secrets in the cluster). */
    keysDir: absolutePathSchema,
    /** Map file of `domain selector` lines (renderDkimSelectorMap). */
    selectorMap: absolutePathSchema,
  }),
  /** Outbound limit per authenticated user, so a hacked mailbox cannot send a flood: each user's own
   * messages-per-hour from `limitsMap` (`address limit` lines, renderSendLimitsMap), else the default. */
  userRateLimit: z.object({
    perHour: z.number().int().positive(),
    burst: z.number().int().positive(),
    limitsMap: absolutePathSchema,
  }),
  /** Who may send as what (renderIdentityMap): `login:<address> <customer>`, `domain:<name> <customer>`
   * and `forward:<alias source> <messages per hour>`. An authenticated user whose header From (or
   * envelope sender) lies outside its customer's domains is refused; a login missing from the map
   * (disabled, suspended) sends nothing; mail to a forwarding alias is rate-limited per alias. */
  identityMap: absolutePathSchema,
  /** Issue 17: the reject score of a recipient without spam settings of its own (Rspamd's default). */
  spamPolicy: z.object({ defaultRejectScore: z.number().positive() }).default({ defaultRejectScore: 15 }),
  /** DNS resolvers; empty uses the system's. */
  nameservers: z.array(z.string().regex(/^[0-9a-fA-F.:[\]]+$/)).default([]),
  /** Modules switched off (NETWORK_MODULES locally). */
  disabledModules: z.array(z.string().regex(/^[a-z_]+$/)).default([]),
  /** How often maps are re-checked (files: a tenth of it). Locally short, so a new DKIM selector or
   * send limit applies within a second; null keeps Rspamd's default (5 min). */
  mapWatchIntervalSeconds: z.number().int().positive().nullable().default(null),
  /** Hyperscan speeds up regexps but compiles for minutes on a small machine: off locally. */
  hyperscan: z.boolean().default(true),
  /** `info` logs each map a worker re-reads (`read hash of N elements from <file>`): the local stack's
   * tests wait for that line instead of sleeping. */
  logLevel: z.enum(['error', 'warning', 'notice', 'info', 'debug']).default('notice'),
});

export type RspamdSettingsInput = z.input<typeof rspamdSettingsSchema>;
export type RspamdSettings = z.output<typeof rspamdSettingsSchema>;

export const dkimSelectorEntrySchema = z.object({
  domain: z.string().regex(/^[a-z0-9.-]+$/),
  selector: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
});
export type DkimSelectorEntry = z.infer<typeof dkimSelectorEntrySchema>;

/** Recipients' spam policy (issue 17) rides in the same map, keyed so the line's domain is the
 * recipient's: `spam:<recipient> <reject score|off>`, `spam-allow:<sender>/<recipient> 1`,
 * `spam-block:<sender>/<recipient> 1` (sender `user@domain` or `@domain`, recipient an address or
 * `@domain` for a catch-all). */
const spamKey = /^spam:[^\s@A-Z]*@[a-z0-9.-]+$/;
const spamListKey = /^spam-(allow|block):[^\s/@A-Z]*@[a-z0-9.-]+\/[^\s@A-Z]*@[a-z0-9.-]+$/;

export const identityEntrySchema = z
  .object({
    key: z
      .string()
      .regex(
        /^(login:[^\s@A-Z]+@|domain:|forward:[^\s@A-Z]*@|spam:[^\s@A-Z]*@|spam-(allow|block):[^\s/@A-Z]*@[a-z0-9.-]+\/[^\s@A-Z]*@)[a-z0-9.-]+$/,
        'login:, domain:, forward:, spam:, spam-allow: or spam-block: key',
      ),
    value: z.string().regex(/^([0-9]+|[0-9]+\.[0-9]+|off)$/),
  })
  .refine(
    (e) =>
      spamKey.test(e.key)
        ? /^([0-9]+(\.[0-9]+)?|off)$/.test(e.value)
        : spamListKey.test(e.key) || /^[0-9]+$/.test(e.value),
    { message: 'value does not fit the key', path: ['value'] },
  );
export type IdentityEntry = z.infer<typeof identityEntrySchema>;

export const sendLimitEntrySchema = z.object({
  address: z.string().regex(/^[^\s@A-Z]+@[a-z0-9.-]+$/, 'a lower-case mail address'),
  perHour: z.number().int().positive(),
});
export type SendLimitEntry = z.infer<typeof sendLimitEntrySchema>;
