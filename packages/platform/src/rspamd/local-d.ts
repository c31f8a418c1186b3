import type { RenderedFile } from '../mail-settings.ts';
import { renderSenderIdentityLua, SENDER_IDENTITY_LUA } from './identity-lua.ts';
import { RATELIMIT_LUA, renderRatelimitLua } from './ratelimit-lua.ts';
import type { RspamdSettings } from './settings.ts';
import { renderSpamPolicyLua } from './spam-policy-lua.ts';

// Files for Rspamd's $LOCAL_CONFDIR/local.d: the packaged rspamd.conf stays as shipped and merges
// these over its defaults (in the cluster this folder is the mounted ConfigMap).
const HEADER = (s: RspamdSettings) =>
  `# Rendered by @hostplane/platform for target "${s.target}". Do not edit: it is overwritten.\n`;

function socket(s: RspamdSettings, port: number): string {
  return `"${s.listen}:${port}"`;
}

function workers(s: RspamdSettings): RenderedFile[] {
  const controller = [
    `bind_socket = ${socket(s, s.ports.controller)};`,
    'count = 1;',
    // Requests from loopback need no password (health checks, rspamc inside the pod).
    'secure_ip = ["127.0.0.1", "::1"];',
  ];
  if (s.controllerPassword) controller.push(`password = "${s.controllerPassword}";`);
  return [
    file('worker-proxy.inc', [
      `bind_socket = ${socket(s, s.ports.milter)};`,
      'milter = yes;',
      'timeout = 120s;',
      'count = 1;',
      'upstream "local" {\n  default = yes;\n  self_scan = yes;\n}',
    ]),
    file('worker-normal.inc', [`bind_socket = ${socket(s, s.ports.normal)};`, 'count = 1;']),
    // With a password the file is a credential (a Secret in the cluster).
    file('worker-controller.inc', controller, s.controllerPassword !== null),
  ].map((f) => ({ ...f, content: HEADER(s) + f.content }));
}

function file(name: string, lines: string[], sensitive = false): RenderedFile {
  return { name: `local.d/${name}`, content: `${lines.join('\n')}\n`, sensitive };
}

function options(s: RspamdSettings): string[] {
  const lines = ['local_addrs = ["127.0.0.0/8", "::1"];'];
  if (!s.hyperscan) lines.push('disable_hyperscan = true;');
  if (s.mapWatchIntervalSeconds !== null) lines.push(`map_watch_interval = ${s.mapWatchIntervalSeconds}s;`);
  if (s.nameservers.length > 0) {
    const servers = s.nameservers.map((server) => `"${server}"`).join(', ');
    lines.push(`dns {\n  nameserver = [${servers}];\n  timeout = 1s;\n  retransmits = 2;\n}`);
  }
  return lines;
}

function modules(s: RspamdSettings): RenderedFile[] {
  const files = [
    file('logging.inc', ['type = "console";', `level = "${s.logLevel}";`, 'color = false;']),
    file('options.inc', options(s)),
    file('redis.conf', [`servers = "${s.redis.host}:${s.redis.port}";`]),
    file('dkim_signing.conf', [
      'enabled = true;',
      `path = "${s.dkim.keysDir}/$domain.$selector.key";`,
      `selector_map = "${s.dkim.selectorMap}";`,
      // Only mail of authenticated users is signed, with the key of the header From domain, and only when
      // that domain equals the envelope sender's (which Postfix holds to the login's customer) — never
      // for `MAIL FROM:<>`, which Rspamd would otherwise sign for any header domain. The sender-identity
      // prefilter (rspamd.local.lua) has already refused a From outside the login's customer, and a
      // refused message is never signed. A login may sign for any domain of its own customer
      // (allow_username_mismatch), not only for its own address's domain.
      'sign_authenticated = true;',
      'sign_local = false;',
      'sign_inbound = false;',
      'use_domain = "header";',
      'use_esld = false;',
      'allow_envfrom_empty = false;',
      'allow_hdrfrom_mismatch = false;',
      'allow_hdrfrom_multiple = false;',
      'allow_username_mismatch = true;',
      'try_fallback = false;',
    ]),
    file('milter_headers.conf', [
      'use = ["x-spamd-bar", "x-spam-level", "x-spam-status", "authentication-results"];',
      'authenticated_headers = ["authentication-results"];',
      'extended_spam_headers = true;',
      // Loopback is "local" to Rspamd: the local stack's whole traffic. Outbound mail of authenticated
      // users carries no spam verdict to the outside world.
      'skip_local = false;',
      'skip_authenticated = true;',
    ]),
    // Rspamd expands $LOCAL_CONFDIR itself: the folder these files are mounted in.
    file('ratelimit.conf', [`custom_keywords = "$LOCAL_CONFDIR/local.d/${RATELIMIT_LUA}";`]),
    file(RATELIMIT_LUA, renderRatelimitLua(s)),
    {
      name: SENDER_IDENTITY_LUA,
      content: `${[...renderSenderIdentityLua(s), ...renderSpamPolicyLua(s)].join('\n')}\n`,
      sensitive: false,
    },
    ...s.disabledModules.map((name) => file(`${name}.conf`, ['enabled = false;'])),
  ];
  // The Lua file carries its own `--` header: `#` is no Lua comment.
  return files.map((f) => (f.name.endsWith('.lua') ? f : { ...f, content: HEADER(s) + f.content }));
}

export function renderLocalD(s: RspamdSettings): RenderedFile[] {
  return [...workers(s), ...modules(s)];
}
