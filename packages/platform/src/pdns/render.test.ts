import { describe, expect, it } from 'vitest';
import { type PdnsSettingsInput, renderAcmeUpdatePolicy, renderPdnsConf } from './render.ts';

const localSettings: PdnsSettingsInput = {
  dnsAddresses: ['127.0.0.1'],
  dnsPort: 20053,
  api: { key: 'k3y-0123456789abcdef', address: '127.0.0.1', port: 28081, allowFrom: ['127.0.0.1/32'] },
  mysql: { host: '127.0.0.1', port: 23306, dbname: 'pdns', user: 'pdns', password: 'pw-123' },
  socketDir: '/state/pdns/run',
};

function settingsOf(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as [string, string];
    });
  return new Map(entries);
}

describe('renderPdnsConf', () => {
  it('renders the zone-cache refresh only when set (the cluster: replicas learn new zones)', () => {
    expect(settingsOf(renderPdnsConf(localSettings)).has('zone-cache-refresh-interval')).toBe(false);
    const conf = settingsOf(renderPdnsConf({ ...localSettings, zoneCacheRefreshSeconds: 10 }));
    expect(conf.get('zone-cache-refresh-interval')).toBe('10');
  });

  it('renders the gmysql backend, the DNS listener and the API from the settings', () => {
    const conf = settingsOf(renderPdnsConf(localSettings));
    expect(Object.fromEntries(conf)).toMatchObject({
      launch: 'gmysql',
      'gmysql-host': '127.0.0.1',
      'gmysql-port': '23306',
      'gmysql-dbname': 'pdns',
      'gmysql-user': 'pdns',
      'gmysql-password': 'pw-123',
      'gmysql-dnssec': 'yes',
      'local-address': '127.0.0.1',
      'local-port': '20053',
      api: 'yes',
      'api-key': 'k3y-0123456789abcdef',
      webserver: 'yes',
      'webserver-address': '127.0.0.1',
      'webserver-port': '28081',
      'webserver-allow-from': '127.0.0.1/32',
      'socket-dir': '/state/pdns/run',
      daemon: 'no',
      guardian: 'no',
    });
  });

  it('renders each setting once and is deterministic', () => {
    const text = renderPdnsConf(localSettings);
    const keys = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('=')[0]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(renderPdnsConf(localSettings)).toBe(text);
  });

  it('joins several listen addresses and adds default-soa-edit only when asked', () => {
    const plain = settingsOf(renderPdnsConf({ ...localSettings, dnsAddresses: ['0.0.0.0', '::'] }));
    expect(plain.get('local-address')).toBe('0.0.0.0, ::');
    expect(plain.has('default-soa-edit')).toBe(false);
    const edited = settingsOf(renderPdnsConf({ ...localSettings, defaultSoaEdit: 'INCEPTION-INCREMENT' }));
    expect(edited.get('default-soa-edit')).toBe('INCEPTION-INCREMENT');
  });

  it('keeps PowerDNS cache lifetimes by default and renders the ones given', () => {
    const cached = settingsOf(renderPdnsConf(localSettings));
    expect([
      cached.get('cache-ttl'),
      cached.get('query-cache-ttl'),
      cached.get('negquery-cache-ttl'),
    ]).toEqual(['20', '20', '60']);
    const uncached = settingsOf(
      renderPdnsConf({ ...localSettings, cacheTtl: { packet: 0, query: 0, negative: 0 } }),
    );
    expect([
      uncached.get('cache-ttl'),
      uncached.get('query-cache-ttl'),
      uncached.get('negquery-cache-ttl'),
    ]).toEqual(['0', '0', '0']);
  });

  it.each([
    [
      'a password with a newline (would inject a setting)',
      { mysql: { ...localSettings.mysql, password: 'x\nlaunch=bind' } },
    ],
    ['a short API key', { api: { ...localSettings.api, key: 'short' } }],
    ['no listen address', { dnsAddresses: [] }],
    ['a port out of range', { dnsPort: 70000 }],
    ['a relative socket dir', { socketDir: 'run' }],
  ])('refuses %s', (_label, override) => {
    expect(() => renderPdnsConf({ ...localSettings, ...override } as PdnsSettingsInput)).toThrow();
  });
});

describe('RFC 2136 updates for ACME DNS-01', () => {
  it('are off unless asked for, and then governed by the policy script alone', () => {
    expect(settingsOf(renderPdnsConf(localSettings)).has('dnsupdate')).toBe(false);
    const conf = settingsOf(renderPdnsConf({ ...localSettings, dnsUpdate: { policyScript: '/s/acme.lua' } }));
    expect(conf.get('dnsupdate')).toBe('yes');
    expect(conf.get('lua-dnsupdate-policy-script')).toBe('/s/acme.lua');
  });

  it('the policy demands the ACME TSIG key, TXT records and _acme-challenge names', () => {
    const lua = renderAcmeUpdatePolicy('hostplane-acme');
    expect(lua).toContain('if not signed or tsig ~= "hostplane-acme" then return false end');
    expect(lua).toContain('"_acme-challenge."');
    expect(lua).toContain('input:getQType() == pdns.TXT');
    expect(() => renderAcmeUpdatePolicy('bad" or true --')).toThrow();
  });
});
