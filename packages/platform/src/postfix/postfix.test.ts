import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../mail-settings.ts';
import { MAP_FILES, type PostfixSettingsInput, renderPostfix } from './index.ts';

const mailDb = { host: '127.0.0.1', port: 23306, database: 'mail', user: 'mail_ro', password: 's3cret' };

const local: PostfixSettingsInput = {
  target: 'local',
  hostname: 'mail.hostplane.test',
  listen: '127.0.0.1',
  ports: { smtp: 20025, submission: 20587, smtps: 20465, internalSubmission: 20588 },
  paths: { configDir: '/state/mail/postfix/etc', queueDirectory: '/state/q', dataDirectory: '/state/d' },
  mailDb,
  lmtp: { host: '127.0.0.1', port: 20024 },
  dovecotAuth: { host: '127.0.0.1', port: 20026 },
  rspamdMilter: { host: '127.0.0.1', port: 21332 },
  tls: { certPath: '/state/tls/cert.pem', keyPath: '/state/tls/key.pem' },
};

const cluster: PostfixSettingsInput = {
  ...local,
  target: 'cluster',
  hostname: 'mail.example.net',
  listen: 'all',
  ports: { smtp: 25, submission: 587, smtps: 465, internalSubmission: 10587 },
  paths: {
    configDir: '/etc/postfix',
    queueDirectory: '/var/spool/postfix',
    dataDirectory: '/var/lib/postfix',
  },
  lmtp: { host: 'dovecot.mail-system.svc', port: 24 },
  dovecotAuth: { host: 'dovecot.mail-system.svc', port: 12345 },
  rspamdMilter: { host: 'rspamd.mail-system.svc', port: 11332 },
};

function file(files: RenderedFile[], name: string): RenderedFile {
  const found = files.find((f) => f.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

/** main.cf as key → value (comments and blank lines dropped). */
function mainCf(input: PostfixSettingsInput): Map<string, string> {
  const lines = file(renderPostfix(input), 'main.cf').content.split('\n');
  const pairs = lines.filter((l) => l && !l.startsWith('#')).map((l) => l.split(' = ') as [string, string]);
  return new Map(pairs.map(([k, v]) => [k, v ?? '']));
}

/** master.cf as service name → { command, options }. */
function masterCf(
  input: PostfixSettingsInput,
): Map<string, { type: string; command: string; options: Map<string, string> }> {
  const services = new Map<string, { type: string; command: string; options: Map<string, string> }>();
  let current: { type: string; command: string; options: Map<string, string> } | undefined;
  for (const line of file(renderPostfix(input), 'master.cf').content.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('  -o ')) {
      const [key, ...value] = line.slice(5).split('=');
      current?.options.set(key!, value.join('='));
      continue;
    }
    const columns = line.split(/\s+/);
    current = { type: columns[1]!, command: columns.slice(7).join(' '), options: new Map() };
    services.set(columns[0]!, current);
  }
  return services;
}

describe('renderPostfix main.cf', () => {
  it.each([
    ['inet_interfaces', '127.0.0.1', 'all'],
    ['mynetworks', '127.0.0.0/8 [::1]/128', '127.0.0.0/8 [::1]/128'],
    [
      'smtpd_relay_restrictions',
      'permit_sasl_authenticated, reject_unauth_destination',
      'permit_sasl_authenticated, reject_unauth_destination',
    ],
    ['virtual_transport', 'lmtp:inet:127.0.0.1:20024', 'lmtp:inet:dovecot.mail-system.svc:24'],
    ['smtpd_sasl_path', 'inet:127.0.0.1:20026', 'inet:dovecot.mail-system.svc:12345'],
    ['smtpd_milters', 'inet:127.0.0.1:21332', 'inet:rspamd.mail-system.svc:11332'],
    ['smtpd_sasl_auth_enable', 'no', 'no'],
    ['queue_directory', '/state/q', '/var/spool/postfix'],
    ['mydestination', '', ''],
    ['postscreen_upstream_proxy_protocol', undefined, 'haproxy'],
    [
      'hostplane_submission_sender_restrictions',
      'check_sasl_access mysql:/state/mail/postfix/etc/mysql-sasl-access.cf, reject_sender_login_mismatch, permit_sasl_authenticated, reject',
      'check_sasl_access mysql:/etc/postfix/mysql-sasl-access.cf, reject_sender_login_mismatch, permit_sasl_authenticated, reject',
    ],
    [
      'smtpd_sender_login_maps',
      'mysql:/state/mail/postfix/etc/mysql-sender-login-maps.cf',
      'mysql:/etc/postfix/mysql-sender-login-maps.cf',
    ],
    [
      'virtual_alias_maps',
      'mysql:/state/mail/postfix/etc/mysql-virtual-alias-maps.cf, mysql:/state/mail/postfix/etc/mysql-virtual-mailbox-identity.cf',
      'mysql:/etc/postfix/mysql-virtual-alias-maps.cf, mysql:/etc/postfix/mysql-virtual-mailbox-identity.cf',
    ],
  ])('%s is %j locally and %j in the cluster', (key, localValue, clusterValue) => {
    expect(mainCf(local).get(key)).toBe(localValue);
    expect(mainCf(cluster).get(key)).toBe(clusterValue);
  });

  it.each([local, cluster])('never lets mynetworks relay ($target)', (input) => {
    const cf = mainCf(input);
    expect(cf.get('smtpd_relay_restrictions')).not.toContain('permit_mynetworks');
    expect(cf.get('smtpd_recipient_restrictions')).not.toContain('permit_mynetworks');
  });

  it('leaves TLS out of smtpd when no certificate is given', () => {
    const cf = mainCf({ ...local, tls: null });
    expect(cf.get('smtpd_tls_security_level')).toBe('none');
    expect(cf.has('smtpd_tls_cert_file')).toBe(false);
  });
});

describe('renderPostfix master.cf', () => {
  it.each([
    ['local', local, '20025', '20587', '20465'],
    ['cluster', cluster, '25', '587', '465'],
  ] as const)(
    '%s: postscreen on smtp, smtpd on submission and smtps',
    (_t, input, smtp, submission, smtps) => {
      const services = masterCf(input);
      expect(services.get(smtp)).toMatchObject({ type: 'inet', command: 'postscreen' });
      expect(services.get(submission)).toMatchObject({ type: 'inet', command: 'smtpd' });
      expect(services.get(smtps)?.options.get('smtpd_tls_wrappermode')).toBe('yes');
      expect(services.get('postlog')).toMatchObject({ type: 'unix-dgram', command: 'postlogd' });
    },
  );

  it.each([
    ['smtpd_sasl_auth_enable', 'yes', 'yes'],
    [
      'smtpd_sender_restrictions',
      '$hostplane_submission_sender_restrictions',
      '$hostplane_submission_sender_restrictions',
    ],
    ['smtpd_relay_restrictions', 'permit_sasl_authenticated,reject', 'permit_sasl_authenticated,reject'],
    ['smtpd_client_restrictions', 'permit_sasl_authenticated,reject', 'permit_sasl_authenticated,reject'],
    ['smtpd_tls_security_level', 'may', 'encrypt'],
    ['smtpd_tls_auth_only', 'no', 'yes'],
    ['smtpd_upstream_proxy_protocol', undefined, 'haproxy'],
  ])('submission -o %s is %j locally and %j in the cluster', (key, localValue, clusterValue) => {
    expect(masterCf(local).get('20587')?.options.get(key)).toBe(localValue);
    expect(masterCf(cluster).get('587')?.options.get(key)).toBe(clusterValue);
  });

  it.each([
    ['smtpd_sasl_auth_enable', 'yes', 'yes'],
    ['smtpd_client_restrictions', 'permit_sasl_authenticated,reject', 'permit_sasl_authenticated,reject'],
    ['smtpd_relay_restrictions', 'permit_sasl_authenticated,reject', 'permit_sasl_authenticated,reject'],
    ['smtpd_upstream_proxy_protocol', '', ''],
    ['smtpd_authorized_xclient_hosts', '', ''],
    ['smtpd_authorized_xforward_hosts', '', ''],
    ['smtpd_tls_auth_only', 'no', 'yes'],
    ['syslog_name', 'postfix/submission-internal', 'postfix/submission-internal'],
  ])('internal submission -o %s is %j locally and %j in the cluster', (key, localValue, clusterValue) => {
    expect(masterCf(local).get('20588')?.options.get(key)).toBe(localValue);
    expect(masterCf(cluster).get('10587')?.options.get(key)).toBe(clusterValue);
  });

  it('has no internal submission listener unless given a port', () => {
    const ports = { ...local.ports, internalSubmission: null };
    expect(masterCf({ ...local, ports }).has('20588')).toBe(false);
  });

  it.each([
    ['no smtps port', { ...local, ports: { ...local.ports, smtps: null } }],
    ['no certificate', { ...local, tls: null }],
  ])('has no smtps service with %s', (_case, input) => {
    expect(masterCf(input).has('20465')).toBe(false);
  });

  it('writes every -o value without a space (master.cf splits on whitespace)', () => {
    for (const [, service] of masterCf(cluster)) {
      for (const [key, value] of service.options) expect(value, key).not.toMatch(/\s/);
    }
  });

  it('runs nothing chrooted', () => {
    const content = file(renderPostfix(cluster), 'master.cf').content;
    const rows = content.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith(' '));
    expect(rows.every((row) => row.split(/\s+/)[4] === 'n')).toBe(true);
  });
});

describe('renderPostfix mysql maps', () => {
  it.each([
    ['domains', 'FROM virtual_domains WHERE name'],
    ['mailboxes', 'FROM virtual_users WHERE email'],
    ['aliases', 'FROM virtual_aliases WHERE source'],
    ['mailboxIdentity', 'SELECT email FROM virtual_users'],
    ['senderLogins', "JOIN virtual_domains d ON d.customer_id = s.customer_id .* WHERE s.name = '%d'"],
    ['saslAccess', "SELECT 'REJECT 5.7.1 .* AND send_enabled = 0"],
  ] as const)('%s map reads the mail tables as the read-only user', (key, query) => {
    const map = file(renderPostfix(local), MAP_FILES[key]);
    expect(map.sensitive).toBe(true);
    expect(map.content).toContain('hosts = inet:127.0.0.1:23306');
    expect(map.content).toContain('user = mail_ro');
    expect(map.content).toContain('password = s3cret');
    expect(map.content).toContain('dbname = mail');
    expect(map.content).toMatch(new RegExp(`^query = .*${query}`, 'm'));
  });
});

describe('renderPostfix validation', () => {
  it.each([
    ['a password with a space', { ...local, mailDb: { ...mailDb, password: 'a b' } }],
    ['a relative queue directory', { ...local, paths: { ...local.paths, queueDirectory: 'spool' } }],
    ['an upper-case host name', { ...local, hostname: 'Mail.Example' }],
    ['port 0', { ...local, ports: { ...local.ports, smtp: 0 } }],
    ['an unknown target', { ...local, target: 'staging' as 'local' }],
  ])('refuses %s', (_case, input) => {
    expect(() => renderPostfix(input)).toThrow();
  });
});

describe('reinjection listener (issue 17: Dovecot Sieve output)', () => {
  it('trusts mynetworks only, without SASL or PROXY header, and may relay', () => {
    const service = masterCf({ ...local, ports: { ...local.ports, reinjection: 20589 } }).get('20589');
    expect(service?.command).toBe('smtpd');
    expect(service?.options.get('smtpd_sasl_auth_enable')).toBe('no');
    expect(service?.options.get('smtpd_client_restrictions')).toBe('permit_mynetworks,reject');
    expect(service?.options.get('smtpd_relay_restrictions')).toBe('permit_mynetworks,reject');
    expect(service?.options.get('smtpd_upstream_proxy_protocol')).toBe('');
    expect(service?.options.has('mynetworks')).toBe(false);
  });

  it('in the cluster admits the pod network on this listener only', () => {
    const input = {
      ...cluster,
      ports: { ...cluster.ports, reinjection: 10025 },
      reinjectionNetworks: ['10.42.0.0/16', '10.43.0.0/16'],
    };
    expect(masterCf(input).get('10025')?.options.get('mynetworks')).toBe('10.42.0.0/16,10.43.0.0/16');
    expect(mainCf(input).get('mynetworks')).toBe('127.0.0.0/8 [::1]/128');
  });

  it('is absent unless asked for', () => {
    expect(
      [...masterCf(local).values()].some((s) => s.options.get('syslog_name') === 'postfix/reinjection'),
    ).toBe(false);
  });
});
