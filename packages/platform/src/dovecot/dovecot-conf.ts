import { header } from '../mail-settings.ts';
import type { DovecotSettings } from './settings.ts';
import { spamLearningPluginLines } from './spam-learning.ts';

export function renderDovecotConf(s: DovecotSettings): string {
  return [
    header(s.target),
    core(s),
    mailStorage(s),
    auth(s),
    tls(s),
    services(s),
    protocols(s),
    sieve(s),
    doveadm(s),
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/** The dict names of the panel's scripts in `virtual_sieve_scripts` (the Mail target writes them), in
 * the order they run: spam filing (every mailbox), the panel's rules (autoresponder, forwarding), then
 * the customer's own. A `stop` in one ends the run (spam gets no autoresponse). */
export const PANEL_SIEVE_SCRIPTS = ['spam', 'hostplane', 'custom'] as const;

/** The sensitive file holding doveadm_api_key, included from dovecot.conf (beside the SQL file). */
export function doveadmKeyFile(s: DovecotSettings): string {
  const dir = s.paths.sqlConfig.slice(0, s.paths.sqlConfig.lastIndexOf('/'));
  return `${dir}/dovecot-doveadm.conf.ext`;
}

function doveadm(s: DovecotSettings): string {
  if (!s.doveadm) return '';
  return `# --- doveadm HTTP API: the panel reads quota usage live (POST /doveadm/v1, X-Dovecot-API key)
service doveadm {
  inet_listener http {
    port = ${s.doveadm.port}
  }
}
!include ${doveadmKeyFile(s)}
`;
}

function sieve(s: DovecotSettings): string {
  if (!s.sieve) return '';
  const dict = (name: string) => `dict:proxy::sieve;name=${name};bindir=~/.sieve-bin`;
  const before = PANEL_SIEVE_SCRIPTS.map(
    (name, i) => `  sieve_before${i === 0 ? '' : i + 1} = ${dict(name)}`,
  ).join('\n');
  return `# --- Sieve (Pigeonhole): the panel's scripts from the mail DB, then the user's own (ManageSieve)
dict {
  sieve = mysql:${s.sieve.dictConfig}
}

service dict {
  # Mail processes run as the mail user; only its group reaches the dict.
  unix_listener dict {
    mode = 0660
    group = ${s.mailUser.group}
  }${
    s.target === 'cluster'
      ? `
  # The dict's SQL file is in a Secret volume (root, the pod's fsGroup = the mail group, 0440).
  extra_groups = ${s.mailUser.group}`
      : ''
  }
}

# A customer's fileinto names folders it has not made yet: they are created (and subscribed).
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes

# Vacation replies and redirects go to Postfix's reinjection listener (trusted by address, no SASL).
submission_host = ${s.sieve.submission.host}:${s.sieve.submission.port}

plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
${before}
  sieve_extensions = +vacation-seconds
  sieve_max_redirects = 10
  sieve_vacation_min_period = 1d
  sieve_vacation_default_period = 7d
  sieve_vacation_max_period = 90d
  # Mail that came through an alias is answered too (the alias is in :addresses).
  sieve_vacation_use_original_recipient = yes
  # A forwarded message leaves with the mailbox as its envelope sender: SPF passes, bounces come back.
  sieve_redirect_envelope_from = orig_recipient
${s.spamLearning ? `${spamLearningPluginLines(s.spamLearning).join('\n')}\n` : ''}}
`;
}

function core(s: DovecotSettings): string {
  const lines = [
    `protocols = imap pop3 lmtp${s.ports.managesieve !== null && s.sieve ? ' sieve' : ''}`,
    `listen = ${s.listen}`,
    `base_dir = ${s.paths.baseDir}`,
    `state_dir = ${s.paths.stateDir}`,
    'instance_name = hostplane',
    // stderr goes to the supervisor's log locally and to the container log in the cluster.
    'log_path = /dev/stderr',
    `default_internal_user = ${s.internalUser}`,
    `default_internal_group = ${s.internalUser}`,
    `default_login_user = ${s.loginUser}`,
  ];
  if (s.proxyTrustedNetworks.length > 0) {
    lines.push(`haproxy_trusted_networks = ${s.proxyTrustedNetworks.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function mailStorage(s: DovecotSettings): string {
  const { uid, gid } = s.mailUser;
  return `mail_uid = ${uid}
mail_gid = ${gid}
first_valid_uid = ${uid}
last_valid_uid = ${uid}
first_valid_gid = ${gid}
last_valid_gid = ${gid}
# home comes from the user row: ${s.paths.mailRoot}/<domain>/<user>/
mail_location = maildir:~/Maildir
mail_plugins = $mail_plugins quota

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

plugin {
  # The limit is each user's quota_rule from the user row.
  quota = count:User quota
  quota_vsizes = yes
  quota_exceeded_message = 5.2.2 Mailbox is full
}
`;
}

function auth(s: DovecotSettings): string {
  return `auth_mechanisms = plain login
auth_username_format = %Lu
disable_plaintext_auth = ${s.target === 'cluster' ? 'yes' : 'no'}

passdb {
  driver = sql
  args = ${s.paths.sqlConfig}
}

userdb {
  driver = sql
  args = ${s.paths.sqlConfig}
}
`;
}

function tls(s: DovecotSettings): string {
  if (!s.tls) return 'ssl = no\n';
  const lines = [
    // required in the cluster: no password crosses the network in clear.
    `ssl = ${s.target === 'cluster' ? 'required' : 'yes'}`,
    `ssl_cert = <${s.tls.certPath}`,
    `ssl_key = <${s.tls.keyPath}`,
    'ssl_min_protocol = TLSv1.2',
  ];
  if (s.tls.dhPath) lines.push(`ssl_dh = <${s.tls.dhPath}`);
  return `${lines.join('\n')}\n`;
}

function listener(kind: string, name: string, port: number | null, extra: string[] = []): string {
  const body = [`port = ${port ?? 0}`, ...extra].map((line) => `    ${line}`).join('\n');
  return `  ${kind} ${name} {\n${body}\n  }`;
}

function services(s: DovecotSettings): string {
  // Listeners reached through Traefik expect its PROXY header in the cluster.
  const proxied = s.target === 'cluster' && s.proxyTrustedNetworks.length > 0 ? ['haproxy = yes'] : [];
  const withSsl = (port: number | null) => (port === null ? [] : ['ssl = yes', ...proxied]);
  return `service imap-login {
${listener('inet_listener', 'imap', s.ports.imap, proxied)}
${listener('inet_listener', 'imaps', s.ports.imaps, withSsl(s.ports.imaps))}
${s.ports.internalImap === null ? '' : `${listener('inet_listener', 'imap-internal', s.ports.internalImap)}\n`}}

service pop3-login {
${listener('inet_listener', 'pop3', s.ports.pop3, proxied)}
${listener('inet_listener', 'pop3s', s.ports.pop3s, withSsl(s.ports.pop3s))}
}

service lmtp {
${listener('inet_listener', 'lmtp', s.ports.lmtp)}
}

${managesieveService(s)}service auth {
  # Postfix's SASL client (smtpd_sasl_type = dovecot) connects here.
${listener('inet_listener', 'sasl', s.ports.auth)}
}

service auth-worker {
  user = $default_internal_user
}
`;
}

function managesieveService(s: DovecotSettings): string {
  if (s.ports.managesieve === null || !s.sieve) return '';
  return `service managesieve-login {
${listener('inet_listener', 'sieve', s.ports.managesieve)}
}

`;
}

function protocols(s: DovecotSettings): string {
  return `protocol lmtp {
  postmaster_address = ${s.postmasterAddress}
  mail_plugins = $mail_plugins${s.sieve ? ' sieve' : ''}
}
# Refuse at RCPT TO when the mailbox is full, so Postfix bounces or defers as the quota says.
lmtp_rcpt_check_quota = yes

protocol imap {
  mail_plugins = $mail_plugins imap_quota${s.spamLearning ? ' imap_sieve' : ''}
}

protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
`;
}
