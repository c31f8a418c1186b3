import type { RspamdSettings } from './settings.ts';

/** Loaded by Rspamd's rules/rspamd.lua from $LOCAL_CONFDIR (not local.d: it is Lua, not UCL). */
export const SENDER_IDENTITY_LUA = 'rspamd.local.lua';

/**
 * A prefilter for mail of authenticated users: the login must be in the identity map (a disabled or
 * suspended mailbox is not), and every header From address and a non-empty envelope sender must lie in
 * a domain of the login's own customer. Anything else is rejected before any module runs, so DKIM
 * signing (which skips rejected mail) never signs it. Postfix checks the envelope sender on its own
 * (smtpd_sender_login_maps); this is what catches the header From and `MAIL FROM:<>`.
 */
export function renderSenderIdentityLua(s: RspamdSettings): string[] {
  return [
    `-- Rendered by @hostplane/platform for target "${s.target}". Do not edit: it is overwritten.`,
    "local lua_maps = require 'lua_maps'",
    `local identities = lua_maps.map_add_from_ucl('${s.identityMap}', 'map', 'Hostplane mail identities')`,
    '',
    'local function domain_owner(domain)',
    "  if not identities or not domain or domain == '' then return nil end",
    "  return identities:get_key('domain:' .. string.lower(domain))",
    'end',
    '',
    'local function refuse(task, text)',
    "  task:insert_result('HOSTPLANE_SENDER_IDENTITY', 1.0, text)",
    "  task:set_pre_result('reject', text, 'hostplane')",
    'end',
    '',
    'rspamd_config:register_symbol({',
    "  name = 'HOSTPLANE_SENDER_IDENTITY',",
    "  type = 'prefilter',",
    '  priority = 10,',
    '  callback = function(task)',
    '    local user = task:get_user()',
    '    if not user then return end',
    "    local customer = identities and identities:get_key('login:' .. string.lower(user))",
    '    if not customer then',
    "      return refuse(task, 'this mailbox may not send')",
    '    end',
    "    local envelope = task:get_from('smtp')",
    "    local sender = envelope and envelope[1] and envelope[1].addr or ''",
    "    if sender ~= '' and domain_owner(envelope[1].domain) ~= customer then",
    "      return refuse(task, 'the envelope sender is not an address of this account')",
    '    end',
    "    local from = task:get_from('mime')",
    '    if not from or #from == 0 then',
    "      return refuse(task, 'a From header is required')",
    '    end',
    '    for _, address in ipairs(from) do',
    '      if domain_owner(address.domain) ~= customer then',
    "        return refuse(task, 'the From header is not an address of this account')",
    '      end',
    '    end',
    '  end,',
    '})',
  ];
}
