import { z } from 'zod';

// PowerDNS Authoritative configuration, rendered from typed settings. DESIGN.md §2 "one renderer,
// two targets": the local stack writes this text to `<stateDir>/pdns/pdns.conf`, and the platform's
// dns-system ConfigMap carries the very same text, so what ships is what the tests exercised.

const hostPattern = /^[A-Za-z0-9.:_-]+$/;
// pdns.conf has no quoting: a value with a newline would inject a setting. Secrets are printable, no spaces.
const settingValue = z.string().regex(/^[\x21-\x7e]+$/, 'printable characters without spaces');

export const pdnsSettingsSchema = z.object({
  /** Addresses the DNS listener binds (UDP and TCP); `address:port` overrides `dnsPort` for one entry. */
  dnsAddresses: z.array(z.string().regex(hostPattern)).min(1),
  /** Started as root (to bind port 53), PowerDNS drops to this user and group once listening. */
  runAs: z
    .object({ user: z.string().regex(/^[a-z_][a-z0-9_-]*$/), group: z.string().regex(/^[a-z_][a-z0-9_-]*$/) })
    .optional(),
  dnsPort: z.number().int().min(1).max(65535),
  api: z.object({
    key: settingValue.min(16),
    address: z.string().regex(hostPattern),
    port: z.number().int().min(1).max(65535),
    /** Networks allowed to reach the webserver/API, e.g. `127.0.0.1/32`. */
    allowFrom: z.array(z.string().regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/)).min(1),
  }),
  mysql: z.object({
    host: z.string().regex(hostPattern),
    port: z.number().int().min(1).max(65535),
    dbname: z.string().regex(/^[A-Za-z0-9_]+$/),
    user: z.string().regex(/^[A-Za-z0-9_]+$/),
    password: settingValue,
    dnssec: z.boolean().default(true),
  }),
  /** Folder of the control socket (pdns_control); must be writable by the pdns user. */
  socketDir: z.string().regex(/^\/[^\s]*$/),
  /** SOA-EDIT applied to outgoing SOA serials; empty leaves PowerDNS' default. */
  defaultSoaEdit: z
    .enum(['', 'INCREMENT-WEEKS', 'INCEPTION-EPOCH', 'INCEPTION-INCREMENT', 'EPOCH', 'NONE'])
    .default(''),
  /** SOA content of zones created without one (API zones get theirs from the caller). */
  defaultSoaContent: z
    .string()
    .regex(/^[^\n]+$/)
    .default('ns1.hostplane.invalid. hostmaster.@ 0 10800 3600 604800 3600'),
  loglevel: z.number().int().min(0).max(9).default(4),
  /**
   * RFC 2136 updates for ACME DNS-01 (DESIGN.md §9): on, with a Lua policy that accepts only updates
   * signed by the ACME TSIG key, only TXT records, only at `_acme-challenge` names
   * (renderAcmeUpdatePolicy). Absent: updates are off.
   */
  dnsUpdate: z
    .object({
      /** Path of the policy script (renderAcmeUpdatePolicy's text). */
      policyScript: z.string().regex(/^\/[^\s]*$/),
    })
    .optional(),
  /**
   * Seconds PowerDNS caches answers (packet cache), backend answers and negative answers; its own
   * defaults are 20/20/60. Creating a zone through the API does not purge them, so a name queried
   * just before (REFUSED) stays REFUSED for up to `packet` seconds: the local stack uses 0 so a read
   * right after a write sees it; the cluster keeps caching and the DNS provisioner flushes the zone
   * (PUT /api/v1/servers/localhost/cache/flush?domain=…) after creating it.
   */
  /**
   * Seconds between refreshes of the zone cache (which zones exist). A zone created through one
   * replica's API is unknown to the others (REFUSED) until their next refresh; PowerDNS's default is
   * 300. Unset: PowerDNS's default (the local stack runs one server).
   */
  zoneCacheRefreshSeconds: z.number().int().min(0).optional(),
  cacheTtl: z
    .object({
      packet: z.number().int().min(0).default(20),
      query: z.number().int().min(0).default(20),
      negative: z.number().int().min(0).default(60),
    })
    .default({ packet: 20, query: 20, negative: 60 }),
});

export type PdnsSettingsInput = z.input<typeof pdnsSettingsSchema>;
export type PdnsSettings = z.output<typeof pdnsSettingsSchema>;

/** Renders pdns.conf. Throws a zod error naming the bad field when a setting is invalid. */
export function renderPdnsConf(input: PdnsSettingsInput): string {
  const s = pdnsSettingsSchema.parse(input);
  const lines: Array<[string, string]> = [
    // Foreground, one process: the supervisor (local) or the kubelet (cluster) restarts it.
    ['daemon', 'no'],
    ['guardian', 'no'],
    ['write-pid', 'no'],
    ['disable-syslog', 'yes'],
    ['log-timestamp', 'no'],
    ['loglevel', String(s.loglevel)],
    ['socket-dir', s.socketDir],
    ['local-address', s.dnsAddresses.join(', ')],
    ['local-port', String(s.dnsPort)],
    ['launch', 'gmysql'],
    ['gmysql-host', s.mysql.host],
    ['gmysql-port', String(s.mysql.port)],
    ['gmysql-dbname', s.mysql.dbname],
    ['gmysql-user', s.mysql.user],
    ['gmysql-password', s.mysql.password],
    ['gmysql-dnssec', s.mysql.dnssec ? 'yes' : 'no'],
    ['api', 'yes'],
    ['api-key', s.api.key],
    ['webserver', 'yes'],
    ['webserver-address', s.api.address],
    ['webserver-port', String(s.api.port)],
    ['webserver-allow-from', s.api.allowFrom.join(', ')],
    // Zones are edited through the API only; each edit bumps the serial (zone metadata SOA-EDIT-API,
    // which PowerDNS 4.7 sets to DEFAULT for zones created through the API).
    ['default-api-rectify', 'yes'],
    ['default-soa-content', s.defaultSoaContent],
    ['cache-ttl', String(s.cacheTtl.packet)],
    ['query-cache-ttl', String(s.cacheTtl.query)],
    ['negquery-cache-ttl', String(s.cacheTtl.negative)],
  ];
  if (s.zoneCacheRefreshSeconds !== undefined)
    lines.push(['zone-cache-refresh-interval', String(s.zoneCacheRefreshSeconds)]);
  if (s.defaultSoaEdit) lines.push(['default-soa-edit', s.defaultSoaEdit]);
  if (s.runAs) lines.push(['setuid', s.runAs.user], ['setgid', s.runAs.group]);
  if (s.dnsUpdate) {
    // With a policy script, PowerDNS asks it alone (allow-dnsupdate-from and the zones' ALLOW-DNSUPDATE-FROM
    // and TSIG-ALLOW-DNSUPDATE metadata are not consulted); the script demands the TSIG key.
    lines.push(['dnsupdate', 'yes'], ['lua-dnsupdate-policy-script', s.dnsUpdate.policyScript]);
  }
  const body = lines.map(([key, value]) => `${key}=${value}`).join('\n');
  return `# Rendered by @hostplane/platform (pdns/render.ts). Do not edit: changes are overwritten.\n${body}\n`;
}

/** The TSIG key the edge signs its DNS-01 updates with (the only key the update policy accepts). */
export const ACME_TSIG_KEY_NAME = 'hostplane-acme';

const tsigKeyName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a TSIG key name (one DNS label)');

/**
 * The Lua update policy of PowerDNS for ACME DNS-01: an update passes only when it is signed with the
 * TSIG key `keyName` (PowerDNS has checked the signature before it asks), touches only TXT records,
 * and only names under `_acme-challenge.`; everything else is refused.
 */
export function renderAcmeUpdatePolicy(keyName: string): string {
  const key = tsigKeyName.parse(keyName);
  return [
    '-- Rendered by @hostplane/platform (pdns/render.ts): ACME DNS-01 updates only.',
    'function updatepolicy(input)',
    // An unsigned update has no TSIG name, and printing an unset name throws: pcall turns that into "no".
    '  local signed, tsig = pcall(function() return input:getTsigName():toStringNoDot():lower() end)',
    `  if not signed or tsig ~= "${key}" then return false end`,
    '  local qname = input:getQName():toStringNoDot():lower()',
    '  if qname:sub(1, 16) ~= "_acme-challenge." then return false end',
    '  return input:getQType() == pdns.TXT',
    'end',
    '',
  ].join('\n');
}
