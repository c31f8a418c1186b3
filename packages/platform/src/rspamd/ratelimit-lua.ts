import type { RspamdSettings } from './settings.ts';

export const RATELIMIT_LUA = 'hostplane_ratelimit.lua';

/** Custom keywords for Rspamd's ratelimit module. `hostplane_user`: one bucket per authenticated user,
 * sized by the user's send_limit_per_hour from the limits map (re-read by Rspamd when it changes), the
 * default otherwise. A user may send min(limit, burst) at once, then `limit` per hour.
 * `hostplane_forward`: one bucket per forwarding alias (a `forward:` line of the identity map, its
 * value the messages per hour), so an alias that forwards outside cannot be used to flood. */
export function renderRatelimitLua(s: RspamdSettings): string[] {
  const { perHour, burst, limitsMap } = s.userRateLimit;
  return [
    `-- Rendered by @hostplane/platform for target "${s.target}". Do not edit: it is overwritten.`,
    "local lua_maps = require 'lua_maps'",
    `local limits = lua_maps.map_add_from_ucl('${limitsMap}', 'map', 'Hostplane per-user send limits')`,
    `local identities = lua_maps.map_add_from_ucl('${s.identityMap}', 'map', 'Hostplane mail identities (forwards)')`,
    `local default_per_hour = ${perHour}`,
    `local max_burst = ${burst}`,
    '',
    'return {',
    '  hostplane_user = function(task)',
    '    local user = task:get_user()',
    '    if not user then return nil end',
    '    user = string.lower(user)',
    '    local per_hour = default_per_hour',
    '    local found = limits and tonumber(limits:get_key(user))',
    '    if found and found > 0 then per_hour = math.floor(found) end',
    '    local burst = math.min(per_hour, max_burst)',
    "    return 'hp_user:' .. user, { burst = burst, rate = string.format('%d / 1h', per_hour) }",
    '  end,',
    '  hostplane_forward = function(task)',
    "    local rcpts = identities and task:get_recipients('smtp')",
    '    if not rcpts then return nil end',
    '    for _, rcpt in ipairs(rcpts) do',
    "      local address = string.lower(rcpt.addr or '')",
    "      local key = 'forward:' .. address",
    '      local found = tonumber(identities:get_key(key))',
    "      if not found and not identities:get_key('login:' .. address) then",
    "        key = 'forward:@' .. string.lower(rcpt.domain or '')",
    '        found = tonumber(identities:get_key(key))',
    '      end',
    '      if found and found > 0 then',
    '        local per_hour = math.floor(found)',
    '        local burst = math.min(per_hour, max_burst)',
    "        return 'hp_' .. key, { burst = burst, rate = string.format('%d / 1h', per_hour) }",
    '      end',
    '    end',
    '    return nil',
    '  end,',
    '}',
  ];
}
