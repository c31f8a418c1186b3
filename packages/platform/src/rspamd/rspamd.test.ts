import { describe, expect, it } from 'vitest';
import {
  NETWORK_MODULES,
  type RspamdSettingsInput,
  renderDkimSelectorMap,
  renderIdentityMap,
  renderRspamd,
  renderSendLimitsMap,
} from './index.ts';

const local: RspamdSettingsInput = {
  target: 'local',
  listen: '127.0.0.1',
  ports: { milter: 21332, normal: 21333, controller: 21334 },
  redis: { host: '127.0.0.1', port: 26379 },
  dkim: { keysDir: '/state/rspamd/dkim', selectorMap: '/state/rspamd/dkim/selectors.map' },
  userRateLimit: { perHour: 1000, burst: 200, limitsMap: '/state/rspamd/send_limits.map' },
  identityMap: '/state/rspamd/identities.map',
  disabledModules: [...NETWORK_MODULES],
  hyperscan: false,
  mapWatchIntervalSeconds: 10,
};

const cluster: RspamdSettingsInput = {
  ...local,
  target: 'cluster',
  listen: '*',
  ports: { milter: 11332, normal: 11333, controller: 11334 },
  redis: { host: 'redis.mail-system.svc', port: 6379 },
  userRateLimit: { perHour: 200, burst: 50, limitsMap: '/etc/rspamd/maps/send_limits.map' },
  disabledModules: [],
  hyperscan: true,
  mapWatchIntervalSeconds: null,
};

function fileOf(input: RspamdSettingsInput, name: string): string {
  const found = renderRspamd(input).find((f) => f.name === `local.d/${name}`);
  if (!found) throw new Error(`no local.d/${name}`);
  return found.content;
}

describe('renderRspamd', () => {
  it.each([
    ['worker-proxy.inc', 'bind_socket = "127.0.0.1:21332";', 'bind_socket = "*:11332";'],
    ['worker-proxy.inc', 'milter = yes;', 'milter = yes;'],
    ['worker-normal.inc', 'bind_socket = "127.0.0.1:21333";', 'bind_socket = "*:11333";'],
    ['worker-controller.inc', 'bind_socket = "127.0.0.1:21334";', 'bind_socket = "*:11334";'],
    ['redis.conf', 'servers = "127.0.0.1:26379";', 'servers = "redis.mail-system.svc:6379";'],
    [
      'ratelimit.conf',
      'custom_keywords = "$LOCAL_CONFDIR/local.d/hostplane_ratelimit.lua";',
      'custom_keywords = "$LOCAL_CONFDIR/local.d/hostplane_ratelimit.lua";',
    ],
    ['hostplane_ratelimit.lua', 'local default_per_hour = 1000', 'local default_per_hour = 200'],
    ['hostplane_ratelimit.lua', 'local max_burst = 200', 'local max_burst = 50'],
    [
      'hostplane_ratelimit.lua',
      "local limits = lua_maps.map_add_from_ucl('/state/rspamd/send_limits.map', 'map', 'Hostplane per-user send limits')",
      "local limits = lua_maps.map_add_from_ucl('/etc/rspamd/maps/send_limits.map', 'map', 'Hostplane per-user send limits')",
    ],
    [
      'dkim_signing.conf',
      'selector_map = "/state/rspamd/dkim/selectors.map";',
      'selector_map = "/state/rspamd/dkim/selectors.map";',
    ],
    [
      'dkim_signing.conf',
      'path = "/state/rspamd/dkim/$domain.$selector.key";',
      'path = "/state/rspamd/dkim/$domain.$selector.key";',
    ],
    ['dkim_signing.conf', 'sign_authenticated = true;', 'sign_authenticated = true;'],
    // Never for `MAIL FROM:<>`, never for a header From unlike the (Postfix-checked) envelope sender.
    ['dkim_signing.conf', 'allow_envfrom_empty = false;', 'allow_envfrom_empty = false;'],
    ['dkim_signing.conf', 'allow_hdrfrom_mismatch = false;', 'allow_hdrfrom_mismatch = false;'],
    ['dkim_signing.conf', 'allow_hdrfrom_multiple = false;', 'allow_hdrfrom_multiple = false;'],
    [
      'hostplane_ratelimit.lua',
      "local identities = lua_maps.map_add_from_ucl('/state/rspamd/identities.map', 'map', 'Hostplane mail identities (forwards)')",
      "local identities = lua_maps.map_add_from_ucl('/state/rspamd/identities.map', 'map', 'Hostplane mail identities (forwards)')",
    ],
    ['hostplane_ratelimit.lua', 'hostplane_forward = function(task)', 'hostplane_forward = function(task)'],
    ['milter_headers.conf', 'extended_spam_headers = true;', 'extended_spam_headers = true;'],
    ['logging.inc', 'type = "console";', 'type = "console";'],
  ])('%s has %s locally and %s in the cluster', (name, localLine, clusterLine) => {
    expect(
      fileOf(local, name)
        .split('\n')
        .map((l) => l.trim()),
    ).toContain(localLine);
    expect(
      fileOf(cluster, name)
        .split('\n')
        .map((l) => l.trim()),
    ).toContain(clusterLine);
  });

  it('switches the Internet-bound modules and hyperscan off locally only', () => {
    for (const module of NETWORK_MODULES)
      expect(fileOf(local, `${module}.conf`)).toContain('enabled = false;');
    expect(renderRspamd(cluster).some((f) => f.name === 'local.d/rbl.conf')).toBe(false);
    expect(fileOf(local, 'options.inc')).toContain('disable_hyperscan = true;');
    expect(fileOf(cluster, 'options.inc')).not.toContain('disable_hyperscan');
    expect(fileOf(local, 'options.inc')).toContain('map_watch_interval = 10s;');
    expect(fileOf(cluster, 'options.inc')).not.toContain('map_watch_interval');
  });

  it('sets a controller password only when given one', () => {
    expect(fileOf(local, 'worker-controller.inc')).not.toContain('password');
    expect(fileOf({ ...cluster, controllerPassword: '$2$abc' }, 'worker-controller.inc')).toContain(
      'password = "$2$abc";',
    );
  });

  it.each([
    ['a module name with a dot', { ...local, disabledModules: ['rbl.conf'] }],
    ['a zero rate', { ...local, userRateLimit: { perHour: 0, burst: 1, limitsMap: '/x' } }],
    ['a relative key folder', { ...local, dkim: { ...local.dkim, keysDir: 'dkim' } }],
  ])('refuses %s', (_case, input) => {
    expect(() => renderRspamd(input)).toThrow();
  });
});

describe('the sender-identity prefilter', () => {
  const lua = (input: RspamdSettingsInput) => {
    const found = renderRspamd(input).find((f) => f.name === 'rspamd.local.lua');
    if (!found) throw new Error('no rspamd.local.lua');
    return found.content;
  };

  it('is loaded from $LOCAL_CONFDIR and reads the identity map', () => {
    expect(lua(local)).toContain(
      "local identities = lua_maps.map_add_from_ucl('/state/rspamd/identities.map', 'map', 'Hostplane mail identities')",
    );
    expect(lua(local).startsWith('--')).toBe(true);
    expect(lua(local)).toContain("type = 'prefilter',");
    expect(lua(local)).toContain("task:set_pre_result('reject', text, 'hostplane')");
  });
});

describe('renderIdentityMap', () => {
  it.each([
    [[], ''],
    [
      [
        { key: 'login:al@b.example', value: '1001' },
        { key: 'domain:b.example', value: '1001' },
        { key: 'forward:@b.example', value: '50' },
      ],
      'domain:b.example 1001\nforward:@b.example 50\nlogin:al@b.example 1001\n',
    ],
  ])('renders %j', (entries, expected) => {
    expect(renderIdentityMap(entries)).toBe(expected);
  });

  it.each([
    [{ key: 'login:Al@b.example', value: '1' }],
    [{ key: 'user:al@b.example', value: '1' }],
    [{ key: 'domain:b.example', value: 'x y' }],
    [{ key: 'login:al b@b.example', value: '1' }],
  ])('refuses %j', (entry) => {
    expect(() => renderIdentityMap([entry])).toThrow();
  });
});

describe('renderDkimSelectorMap', () => {
  it.each([
    [[], ''],
    [[{ domain: 'example.com', selector: 'hp2026' }], 'example.com hp2026\n'],
    [
      [
        { domain: 'zeta.example', selector: 's1' },
        { domain: 'alpha.example', selector: 's2' },
      ],
      'alpha.example s2\nzeta.example s1\n',
    ],
  ])('renders %j', (entries, expected) => {
    expect(renderDkimSelectorMap(entries)).toBe(expected);
  });

  it.each([
    [{ domain: 'Example.com', selector: 's' }],
    [{ domain: 'example.com', selector: 'bad selector' }],
  ])('refuses %j', (entry) => {
    expect(() => renderDkimSelectorMap([entry])).toThrow();
  });
});

describe('renderSendLimitsMap', () => {
  it.each([
    [[], ''],
    [
      [
        { address: 'zoe@example.com', perHour: 50 },
        { address: 'al@example.com', perHour: 500 },
      ],
      'al@example.com 500\nzoe@example.com 50\n',
    ],
  ])('renders %j', (entries, expected) => {
    expect(renderSendLimitsMap(entries)).toBe(expected);
  });

  it.each([
    [{ address: 'Al@example.com', perHour: 5 }],
    [{ address: 'al@example.com', perHour: 0 }],
    [{ address: 'al example.com', perHour: 5 }],
  ])('refuses %j', (entry) => {
    expect(() => renderSendLimitsMap([entry])).toThrow();
  });

  it('keeps the Lua file free of the # header', () => {
    const lua = renderRspamd(local).find((f) => f.name === 'local.d/hostplane_ratelimit.lua')!;
    expect(lua.content.startsWith('--')).toBe(true);
  });
});
