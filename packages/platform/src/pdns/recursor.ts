import { z } from 'zod';

// PowerDNS Recursor configuration (the 4.x `key=value` format Debian's pdns-recursor reads), and
// its root hints. The local stack runs it as the resolver of its miniature internet (DESIGN.md §9
// "The local internet"); dns-system's optional Recursor takes the same text.

const address = z.string().regex(/^[0-9A-Fa-f.:]+$/, 'an IP address');
const dnsName = z.string().regex(/^([a-z0-9_-]+\.)*[a-z0-9_-]+\.?$/, 'a DNS name');

export const recursorSettingsSchema = z.object({
  /** Addresses clients reach the resolver on. */
  listenAddresses: z.array(address).min(1),
  port: z.number().int().min(1).max(65535),
  /** Networks allowed to ask, e.g. `127.0.0.0/8`. */
  allowFrom: z.array(z.string().regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/)).min(1),
  /**
   * Networks the resolver never sends queries to. Its default (RFC 1918, loopback, …) protects an
   * internet resolver from being pointed inside; a resolver of a loopback internet must clear it.
   */
  dontQuery: z.array(z.string().regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/)).default([]),
  /** Path of the root hints file (renderRootHints). */
  hintFile: z.string().regex(/^\/[^\s]*$/),
  /** `process-no-validate` for an unsigned local root; `validate` on the internet. */
  dnssec: z.enum(['off', 'process-no-validate', 'process', 'log-fail', 'validate']).default('validate'),
  /** Seconds answers may be cached; tiny locally so a test sees a delegation right after writing it. */
  maxCacheTtl: z.number().int().min(1).default(86_400),
  maxNegativeTtl: z.number().int().min(0).default(3_600),
  packetCache: z.boolean().default(true),
  threads: z.number().int().min(1).max(64).default(2),
  /** Folder of the control socket (rec_control). */
  socketDir: z.string().regex(/^\/[^\s]*$/),
});

export type RecursorSettingsInput = z.input<typeof recursorSettingsSchema>;

/** Renders recursor.conf; throws a zod error naming the bad field. */
export function renderRecursorConf(input: RecursorSettingsInput): string {
  const s = recursorSettingsSchema.parse(input);
  const lines: Array<[string, string]> = [
    ['daemon', 'no'],
    ['write-pid', 'no'],
    ['disable-syslog', 'yes'],
    ['log-timestamp', 'no'],
    ['quiet', 'yes'],
    ['socket-dir', s.socketDir],
    ['local-address', s.listenAddresses.join(', ')],
    ['local-port', String(s.port)],
    ['allow-from', s.allowFrom.join(', ')],
    ['dont-query', s.dontQuery.join(', ')],
    ['hint-file', s.hintFile],
    ['dnssec', s.dnssec],
    ['max-cache-ttl', String(s.maxCacheTtl)],
    ['max-negative-ttl', String(s.maxNegativeTtl)],
    ['disable-packetcache', s.packetCache ? 'no' : 'yes'],
    ['threads', String(s.threads)],
    // No calls home: the resolver of a closed network asks nobody about its own version.
    ['security-poll-suffix', ''],
  ];
  return `# Rendered by @hostplane/platform (pdns/recursor.ts). Do not edit: changes are overwritten.\n${lines
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

export const rootHintsSchema = z
  .array(z.object({ name: dnsName, ipv4: z.array(address).min(1) }))
  .min(1, 'at least one root server');

/** A root hints file (named.root format) naming the given root servers. */
export function renderRootHints(servers: z.input<typeof rootHintsSchema>): string {
  const parsed = rootHintsSchema.parse(servers);
  const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);
  const lines = parsed.flatMap((server) => [
    `.                        3600000      NS    ${fqdn(server.name)}`,
    ...server.ipv4.map((ip) => `${fqdn(server.name).padEnd(24)} 3600000      A     ${ip}`),
  ]);
  return `; Rendered by @hostplane/platform (pdns/recursor.ts).\n${lines.join('\n')}\n`;
}
