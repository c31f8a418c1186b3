import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDovecot } from './dovecot/index.ts';
import { CLUSTER_MAIL_ROOT, type RenderedFile } from './mail-settings.ts';
import { renderPostfix } from './postfix/index.ts';
import { renderRspamd } from './rspamd/index.ts';

// The cluster target is what ships, yet only the local target runs in the stack: here Debian's own
// postconf, doveconf and rspamadm parse the cluster rendering, so a setting they reject fails a test.

const run = promisify(execFile);
let dir: string;
const mailDb = {
  host: 'mysql.mail-system.svc',
  port: 3306,
  database: 'mail',
  user: 'mail_ro',
  password: 'pw',
};

function write(sub: string, files: RenderedFile[]): string {
  for (const file of files) {
    const target = path.join(dir, sub, file.name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  return path.join(dir, sub);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostplane-mail-render-'));
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mail.example.net'],
    ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the cluster rendering is accepted by the real tools', () => {
  it('postconf reads main.cf and master.cf without a warning', async () => {
    const configDir = write(
      'postfix',
      renderPostfix({
        target: 'cluster',
        hostname: 'mail.example.net',
        listen: 'all',
        ports: { smtp: 25, submission: 587, smtps: 465, internalSubmission: 10587 },
        paths: {
          configDir: path.join(dir, 'postfix'),
          queueDirectory: '/var/spool/postfix',
          dataDirectory: '/var/lib/postfix',
        },
        mailDb,
        lmtp: { host: 'dovecot.mail-system.svc', port: 24 },
        dovecotAuth: { host: 'dovecot.mail-system.svc', port: 12345 },
        rspamdMilter: { host: 'rspamd.mail-system.svc', port: 11332 },
        tls: { certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem') },
      }),
    );
    const main = await run('postconf', ['-c', configDir, '-n']);
    const master = await run('postconf', ['-c', configDir, '-M']);
    expect(`${main.stderr}${master.stderr}`).toBe('');
    expect(main.stdout).toContain('postscreen_upstream_proxy_protocol = haproxy');
    expect(master.stdout).toMatch(/^587\s+inet .*smtpd_upstream_proxy_protocol=haproxy/m);
  });

  it('doveconf parses dovecot.conf', async () => {
    const confDir = path.join(dir, 'dovecot');
    write(
      'dovecot',
      renderDovecot({
        target: 'cluster',
        listen: '*',
        ports: { imap: 143, pop3: 110, lmtp: 24, auth: 12345, imaps: 993, pop3s: 995 },
        paths: {
          baseDir: '/run/dovecot',
          stateDir: '/var/lib/dovecot',
          mailRoot: CLUSTER_MAIL_ROOT,
          sqlConfig: path.join(confDir, 'dovecot-sql.conf.ext'),
        },
        mailUser: { uid: 5000, gid: 5000 },
        mailDb,
        postmasterAddress: 'postmaster@example.net',
        tls: { certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem') },
        proxyTrustedNetworks: ['10.42.0.0/16'],
      }),
    );
    const { stdout, stderr } = await run('doveconf', ['-c', path.join(confDir, 'dovecot.conf'), '-n']);
    expect(stderr).toBe('');
    expect(stdout).toContain('haproxy_trusted_networks = 10.42.0.0/16');
  });

  it('rspamadm configtest accepts local.d over the packaged rspamd.conf', async () => {
    const localConf = write(
      'rspamd',
      renderRspamd({
        target: 'cluster',
        listen: '*',
        ports: { milter: 11332, normal: 11333, controller: 11334 },
        redis: { host: '127.0.0.1', port: 6379 },
        dkim: { keysDir: '/var/lib/rspamd/dkim', selectorMap: '/etc/rspamd/dkim/selectors.map' },
        userRateLimit: { perHour: 200, burst: 50, limitsMap: '/etc/rspamd/maps/send_limits.map' },
        identityMap: '/etc/rspamd/maps/identities.map',
      }),
    );
    const { stdout } = await run('rspamadm', [
      `--var=LOCAL_CONFDIR=${localConf}`,
      'configtest',
      '-c',
      '/etc/rspamd/rspamd.conf',
    ]);
    expect(stdout).toContain('syntax OK');
  });
});
