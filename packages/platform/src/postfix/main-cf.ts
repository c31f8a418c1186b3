import { header } from '../mail-settings.ts';
import { mapReference } from './mysql-maps.ts';
import { POSTFIX_MYNETWORKS, type PostfixSettings, SUBMISSION_SENDER_RESTRICTIONS } from './settings.ts';

type Setting = readonly [key: string, value: string | number];

export function renderMainCf(settings: PostfixSettings): string {
  const sections: [title: string, lines: Setting[]][] = [
    ['instance', instanceSettings(settings)],
    ['virtual mail (mail MySQL, read-only user)', virtualSettings(settings)],
    ['SMTP server: no open relay', smtpdSettings(settings)],
    ['SASL through Dovecot', saslSettings(settings)],
    ['Rspamd milter (spam headers, DKIM signing, rate limits)', milterSettings(settings)],
    ['TLS', tlsSettings(settings)],
    ['postscreen in front of port smtp', postscreenSettings(settings)],
  ];
  const body = sections
    .map(([title, lines]) =>
      [`# --- ${title}`, ...lines.map(([key, value]) => `${key} = ${value}`)].join('\n'),
    )
    .join('\n\n');
  return `${header(settings.target)}\n${body}\n`;
}

function instanceSettings(s: PostfixSettings): Setting[] {
  return [
    ['compatibility_level', '3.6'],
    ['myhostname', s.hostname],
    ['myorigin', '$myhostname'],
    ['inet_interfaces', s.listen],
    ['inet_protocols', s.inetProtocols],
    ['queue_directory', s.paths.queueDirectory],
    ['data_directory', s.paths.dataDirectory],
    ['mail_owner', s.mailOwner],
    ['setgid_group', s.setgidGroup],
    // Logs to the supervisor's (or the container's) stdout through postlogd.
    ['maillog_file', '/dev/stdout'],
    ['biff', 'no'],
    ['append_dot_mydomain', 'no'],
    ['readme_directory', 'no'],
    ['message_size_limit', s.messageSizeLimitBytes],
    ['mailbox_size_limit', 0],
    ['recipient_delimiter', '+'],
  ];
}

function virtualSettings(s: PostfixSettings): Setting[] {
  return [
    // Every hosted domain is virtual: nothing is delivered to Unix accounts.
    ['mydestination', ''],
    ['local_recipient_maps', ''],
    ['local_transport', 'error:5.1.1 local delivery is disabled'],
    ['alias_maps', ''],
    ['alias_database', ''],
    ['virtual_mailbox_domains', mapReference(s, 'domains')],
    ['virtual_mailbox_maps', mapReference(s, 'mailboxes')],
    ['virtual_alias_maps', `${mapReference(s, 'aliases')}, ${mapReference(s, 'mailboxIdentity')}`],
    ['virtual_transport', `lmtp:inet:${s.lmtp.host}:${s.lmtp.port}`],
  ];
}

function smtpdSettings(s: PostfixSettings): Setting[] {
  return [
    ['mynetworks', POSTFIX_MYNETWORKS],
    ['smtpd_banner', '$myhostname ESMTP'],
    ['smtpd_helo_required', 'yes'],
    ['disable_vrfy_command', 'yes'],
    // permit_mynetworks is deliberately absent: loopback gets no relay either.
    ['smtpd_relay_restrictions', 'permit_sasl_authenticated, reject_unauth_destination'],
    ['smtpd_recipient_restrictions', 'reject_non_fqdn_recipient, reject_unlisted_recipient'],
    ['smtpd_sender_restrictions', 'reject_non_fqdn_sender'],
    ['smtpd_sender_login_maps', mapReference(s, 'senderLogins')],
    // Submission (master.cf): a suspended customer's login is refused first, whatever the sender (`<>`
    // too); then the envelope sender must be an address of the login's customer.
    [
      SUBMISSION_SENDER_RESTRICTIONS,
      `check_sasl_access ${mapReference(s, 'saslAccess')}, reject_sender_login_mismatch, permit_sasl_authenticated, reject`,
    ],
  ];
}

function saslSettings(s: PostfixSettings): Setting[] {
  return [
    ['smtpd_sasl_type', 'dovecot'],
    ['smtpd_sasl_path', `inet:${s.dovecotAuth.host}:${s.dovecotAuth.port}`],
    // Off on port smtp (server to server); master.cf turns it on for submission and smtps.
    ['smtpd_sasl_auth_enable', 'no'],
    ['smtpd_sasl_security_options', 'noanonymous'],
    ['smtpd_sasl_authenticated_header', 'no'],
  ];
}

function milterSettings(s: PostfixSettings): Setting[] {
  return [
    ['smtpd_milters', `inet:${s.rspamdMilter.host}:${s.rspamdMilter.port}`],
    ['non_smtpd_milters', '$smtpd_milters'],
    ['milter_protocol', 6],
    // {auth_authen} lets Rspamd sign DKIM and rate-limit per authenticated user.
    ['milter_mail_macros', 'i {mail_addr} {client_addr} {client_name} {auth_authen}'],
    // Without Rspamd, mail waits rather than leaving unsigned and unscanned.
    ['milter_default_action', 'tempfail'],
  ];
}

function tlsSettings(s: PostfixSettings): Setting[] {
  const client: Setting[] = [['smtp_tls_security_level', 'may']];
  if (!s.tls) return [['smtpd_tls_security_level', 'none'], ...client];
  return [
    ['smtpd_tls_cert_file', s.tls.certPath],
    ['smtpd_tls_key_file', s.tls.keyPath],
    ['smtpd_tls_security_level', 'may'],
    ['smtpd_tls_protocols', '>=TLSv1.2'],
    ['smtpd_tls_mandatory_protocols', '>=TLSv1.2'],
    ['smtpd_tls_session_cache_database', 'btree:$data_directory/smtpd_scache'],
    ['smtpd_tls_loglevel', 1],
    ...client,
  ];
}

function postscreenSettings(s: PostfixSettings): Setting[] {
  const lines: Setting[] = [
    ['postscreen_access_list', 'permit_mynetworks'],
    ['postscreen_cache_map', 'btree:$data_directory/postscreen_cache'],
    ['postscreen_greet_action', 'enforce'],
  ];
  // In the cluster, Traefik's TCP route speaks the PROXY protocol so Postfix sees the real client.
  if (s.target === 'cluster') lines.push(['postscreen_upstream_proxy_protocol', 'haproxy']);
  return lines;
}
