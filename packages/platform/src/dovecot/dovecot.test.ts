import { describe, expect, it } from 'vitest';
import { type DovecotSettingsInput, renderDovecot } from './index.ts';

const mailDb = { host: '127.0.0.1', port: 23306, database: 'mail', user: 'mail_ro', password: 's3cret' };

const local: DovecotSettingsInput = {
  target: 'local',
  listen: '127.0.0.1',
  ports: { imap: 20143, pop3: 20110, lmtp: 20024, auth: 20026 },
  paths: {
    baseDir: '/state/dovecot/run',
    stateDir: '/state/dovecot/lib',
    mailRoot: '/state/mail/vhosts',
    sqlConfig: '/state/dovecot/etc/dovecot-sql.conf.ext',
  },
  mailUser: { uid: 998, gid: 997 },
  mailDb,
  postmasterAddress: 'postmaster@hostplane.test',
  tls: { certPath: '/state/tls/cert.pem', keyPath: '/state/tls/key.pem' },
};

const cluster: DovecotSettingsInput = {
  ...local,
  target: 'cluster',
  listen: '*',
  ports: { imap: 143, pop3: 110, lmtp: 24, auth: 12345, imaps: 993, pop3s: 995 },
  paths: { ...local.paths, mailRoot: '/var/mail/vhosts', sqlConfig: '/etc/dovecot/dovecot-sql.conf.ext' },
  mailUser: { uid: 5000, gid: 5000 },
  proxyTrustedNetworks: ['10.42.0.0/16'],
};

function conf(input: DovecotSettingsInput): string {
  return renderDovecot(input).find((f) => f.name === 'dovecot.conf')!.content;
}

function sql(input: DovecotSettingsInput) {
  return renderDovecot(input).find((f) => f.name === 'dovecot-sql.conf.ext')!;
}

/** The body of `<kind> <name> { … }` (one nesting level is enough for listeners). */
function block(text: string, header: string): string {
  const start = text.indexOf(`${header} {`);
  if (start < 0) return '';
  return text.slice(start, text.indexOf('}', start));
}

describe('renderDovecot dovecot.conf', () => {
  it.each([
    ['listen = 127.0.0.1', 'listen = *'],
    ['disable_plaintext_auth = no', 'disable_plaintext_auth = yes'],
    ['ssl = yes', 'ssl = required'],
    ['first_valid_uid = 998', 'first_valid_uid = 5000'],
    ['mail_uid = 998', 'mail_uid = 5000'],
    ['args = /state/dovecot/etc/dovecot-sql.conf.ext', 'args = /etc/dovecot/dovecot-sql.conf.ext'],
    ['protocols = imap pop3 lmtp', 'protocols = imap pop3 lmtp'],
    ['mail_plugins = $mail_plugins quota', 'mail_plugins = $mail_plugins quota'],
    ['quota = count:User quota', 'quota = count:User quota'],
    ['lmtp_rcpt_check_quota = yes', 'lmtp_rcpt_check_quota = yes'],
    ['mail_plugins = $mail_plugins imap_quota', 'mail_plugins = $mail_plugins imap_quota'],
    ['mail_location = maildir:~/Maildir', 'mail_location = maildir:~/Maildir'],
  ])('local has "%s", cluster has "%s"', (localLine, clusterLine) => {
    expect(
      conf(local)
        .split('\n')
        .map((l) => l.trim()),
    ).toContain(localLine);
    expect(
      conf(cluster)
        .split('\n')
        .map((l) => l.trim()),
    ).toContain(clusterLine);
  });

  it.each([
    ['inet_listener imap', 'port = 20143', 'port = 143'],
    ['inet_listener imaps', 'port = 0', 'port = 993'],
    ['inet_listener pop3', 'port = 20110', 'port = 110'],
    ['inet_listener lmtp', 'port = 20024', 'port = 24'],
    ['inet_listener sasl', 'port = 20026', 'port = 12345'],
  ])('%s listens on %s locally and %s in the cluster', (listener, localPort, clusterPort) => {
    expect(block(conf(local), listener)).toContain(localPort);
    expect(block(conf(cluster), listener)).toContain(clusterPort);
  });

  it('expects the PROXY header from the trusted range in the cluster only', () => {
    expect(conf(cluster)).toContain('haproxy_trusted_networks = 10.42.0.0/16');
    expect(block(conf(cluster), 'inet_listener imap')).toContain('haproxy = yes');
    expect(block(conf(cluster), 'inet_listener lmtp')).not.toContain('haproxy');
    expect(conf(local)).not.toContain('haproxy');
  });

  it('refuses the PROXY protocol on the local target', () => {
    expect(() => renderDovecot({ ...local, proxyTrustedNetworks: ['10.0.0.0/8'] })).toThrow(
      /cluster target only/,
    );
  });

  it('turns TLS off without certificate files', () => {
    expect(conf({ ...local, tls: null })).toContain('ssl = no');
    expect(conf({ ...local, tls: null })).not.toContain('ssl_cert');
  });
});

describe('renderDovecot dovecot-sql.conf.ext', () => {
  it.each([
    [
      local,
      'host=127.0.0.1 port=23306 dbname=mail user=mail_ro password=s3cret',
      "CONCAT('/state/mail/vhosts/', maildir)",
    ],
    [
      cluster,
      'host=127.0.0.1 port=23306 dbname=mail user=mail_ro password=s3cret',
      "CONCAT('/var/mail/vhosts/', maildir)",
    ],
  ])('connects read-only and homes users under the mail root (%#)', (input, connect, home) => {
    const file = sql(input);
    expect(file.sensitive).toBe(true);
    expect(file.content).toContain(`connect = ${connect}`);
    expect(file.content).toContain(home);
    expect(file.content).toContain("CONCAT('*:bytes=', quota_bytes) AS quota_rule");
    expect(file.content).toMatch(
      /^password_query = .*FROM virtual_users WHERE email = '%u' AND enabled = 1 AND send_enabled = 1$/m,
    );
  });

  it.each(['ARGON2ID', 'BLF-CRYPT'] as const)('defaults to the %s scheme when asked', (scheme) => {
    expect(sql({ ...local, defaultPasswordScheme: scheme }).content).toContain(
      `default_pass_scheme = ${scheme}`,
    );
  });

  it.each([
    ['a mail root with a quote', { ...local, paths: { ...local.paths, mailRoot: "/var/mail/x'" } }],
    ['uid 0', { ...local, mailUser: { uid: 0, gid: 0 } }],
    ['an unknown scheme', { ...local, defaultPasswordScheme: 'MD5' as 'ARGON2ID' }],
  ])('refuses %s', (_case, input) => {
    expect(() => renderDovecot(input)).toThrow();
  });
});

describe('Sieve (issue 17)', () => {
  const withSieve: DovecotSettingsInput = {
    ...local,
    ports: { ...local.ports, managesieve: 20419 },
    mailUser: { uid: 998, gid: 997, group: 'hostplane-vmail' },
    sieve: {
      submission: { host: '127.0.0.1', port: 20589 },
      dictConfig: '/state/dovecot/etc/dovecot-dict-sieve.conf.ext',
    },
  };

  it('runs the panel scripts from the dict before the ManageSieve script, and sends through reinjection', () => {
    const text = conf(withSieve);
    expect(text).toContain('protocols = imap pop3 lmtp sieve');
    expect(text).toContain('sieve = mysql:/state/dovecot/etc/dovecot-dict-sieve.conf.ext');
    expect(text).toContain('sieve_before = dict:proxy::sieve;name=spam;bindir=~/.sieve-bin');
    expect(text).toContain('sieve_before2 = dict:proxy::sieve;name=hostplane;bindir=~/.sieve-bin');
    expect(text).toContain('sieve_before3 = dict:proxy::sieve;name=custom;bindir=~/.sieve-bin');
    expect(text).toContain('sieve = file:~/sieve;active=~/.dovecot.sieve');
    expect(text).toContain('submission_host = 127.0.0.1:20589');
    expect(text).toMatch(/unix_listener dict \{\s+mode = 0660\s+group = hostplane-vmail/);
    expect(text).toMatch(/service managesieve-login \{\s+inet_listener sieve \{\s+port = 20419/);
    expect(text).toContain('mail_plugins = $mail_plugins sieve');
  });

  it('renders the dict map as a sensitive file holding the read-only credentials', () => {
    const dict = renderDovecot(withSieve).find((f) => f.name === 'dovecot-dict-sieve.conf.ext');
    expect(dict?.sensitive).toBe(true);
    expect(dict?.content).toContain('pattern = priv/sieve/name/$script_name');
    expect(dict?.content).toContain('table = virtual_sieve_scripts');
    expect(dict?.content).toContain('password=s3cret');
  });

  it('renders no Sieve without the setting', () => {
    expect(conf(local)).not.toContain('sieve');
    expect(renderDovecot(local)).toHaveLength(2);
  });
});

describe('renderDovecot spam learning (issue 17)', () => {
  const sieve = {
    submission: { host: '127.0.0.1', port: 20589 },
    dictConfig: '/state/dovecot/etc/dict.conf.ext',
  };
  const learning = {
    ...local,
    sieve,
    spamLearning: { controller: { host: '127.0.0.1', port: 21334 }, dir: '/state/dovecot/etc/learn' },
  };

  it('wires IMAPSieve on Junk: into it learns spam, out of it learns ham', () => {
    const text = conf(learning);
    expect(text).toContain('mail_plugins = $mail_plugins imap_quota imap_sieve');
    expect(text).toContain('sieve_plugins = sieve_imapsieve sieve_extprograms');
    expect(text).toContain('sieve_pipe_bin_dir = /state/dovecot/etc/learn');
    expect(text).toContain('imapsieve_mailbox1_name = Junk');
    expect(text).toContain('imapsieve_mailbox1_before = file:/state/dovecot/etc/learn/report-spam.sieve');
    expect(text).toContain('imapsieve_mailbox2_from = Junk');
    expect(text).toContain('imapsieve_mailbox2_before = file:/state/dovecot/etc/learn/report-ham.sieve');
  });

  it('renders the program (executable) and both scripts; without learning none of it', () => {
    const files = renderDovecot(learning);
    const program = files.find((f) => f.name === 'rspamd-learn');
    expect(program).toMatchObject({ executable: true, sensitive: false });
    expect(program?.content).toContain('controller=127.0.0.1:21334');
    expect(program?.content).toContain('password=\n');
    expect(files.find((f) => f.name === 'report-spam.sieve')?.content).toContain(
      'pipe :copy "rspamd-learn" ["spam"]',
    );
    const ham = files.find((f) => f.name === 'report-ham.sieve')?.content ?? '';
    expect(ham).toContain('pipe :copy "rspamd-learn" ["ham"]');
    expect(ham).toContain(`if string "\${mailbox}" "Trash"`);
    const plain = renderDovecot({ ...local, sieve });
    expect(plain.map((f) => f.name)).not.toContain('rspamd-learn');
    expect(conf({ ...local, sieve })).not.toContain('imap_sieve');
  });

  it('reads the controller password from a file when given one', () => {
    const files = renderDovecot({
      ...learning,
      spamLearning: { ...learning.spamLearning, passwordFile: '/etc/dovecot/sql/rspamd-controller.pass' },
    });
    expect(files.find((f) => f.name === 'rspamd-learn')?.content).toContain(
      "password=$(cat '/etc/dovecot/sql/rspamd-controller.pass')",
    );
  });

  it('refuses learning without Sieve', () => {
    expect(() => renderDovecot({ ...local, spamLearning: learning.spamLearning })).toThrow(/spamLearning/);
  });
});
