import { describe, expect, it } from 'vitest';
import { NETWORK_MODULES, type RspamdSettingsInput, renderDkimSelectorMap, renderRspamd } from './index.ts';

const local: RspamdSettingsInput = {
  target: 'local',
  listen: '127.0.0.1',
  ports: { milter: 21332, normal: 21333, controller: 21334 },
  redis: { host: '127.0.0.1', port: 26379 },
  dkim: { keysDir: '/state/rspamd/dkim', selectorMap: '/state/rspamd/dkim/selectors.map' },
  userRateLimit: { perHour: 1000, burst: 200 },
  disabledModules: [...NETWORK_MODULES],
  hyperscan: false,
};

const cluster: RspamdSettingsInput = {
  ...local,
  target: 'cluster',
  listen: '*',
  ports: { milter: 11332, normal: 11333, controller: 11334 },
  redis: { host: 'redis.mail-system.svc', port: 6379 },
  userRateLimit: { perHour: 200, burst: 50 },
  disabledModules: [],
  hyperscan: true,
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
    ['ratelimit.conf', 'rate = "1000 / 1h";', 'rate = "200 / 1h";'],
    ['ratelimit.conf', 'burst = 200;', 'burst = 50;'],
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
  });

  it('sets a controller password only when given one', () => {
    expect(fileOf(local, 'worker-controller.inc')).not.toContain('password');
    expect(fileOf({ ...cluster, controllerPassword: '$2$abc' }, 'worker-controller.inc')).toContain(
      'password = "$2$abc";',
    );
  });

  it.each([
    ['a module name with a dot', { ...local, disabledModules: ['rbl.conf'] }],
    ['a zero rate', { ...local, userRateLimit: { perHour: 0, burst: 1 } }],
    ['a relative key folder', { ...local, dkim: { ...local.dkim, keysDir: 'dkim' } }],
  ])('refuses %s', (_case, input) => {
    expect(() => renderRspamd(input)).toThrow();
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
