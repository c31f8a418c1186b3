import { z } from 'zod';
import { absolutePathSchema, hostSchema, mailTargetSchema, portSchema } from '../mail-settings.ts';

// Webmail (issue 17): Roundcube from Debian's packages (roundcube-core, GPL-3.0, run unmodified as a
// separate program), one shared instance for every domain. One renderer for both targets: the local
// stack's file and the cluster's ConfigMap. Roundcube logs in to the platform's Dovecot with the
// mailbox's own credentials (a suspended customer's mailbox is refused there) and sends through the
// submission port with the same credentials, so Postfix's sender checks and Rspamd's DKIM signing apply
// exactly as for any mail client. No secret is rendered: the session key comes from the environment.

const endpoint = z.object({
  host: hostSchema,
  port: portSchema,
  /** `starttls` (Roundcube's tls://), `implicit` (ssl://) or `none`. */
  security: z.enum(['starttls', 'implicit', 'none']),
});

export const roundcubeSettingsSchema = z.object({
  target: mailTargetSchema,
  imap: endpoint,
  smtp: endpoint,
  /** How the server certificate is checked: the CA file, and the name the certificate carries. */
  tls: z.object({ caFile: absolutePathSchema.nullable(), peerName: hostSchema }),
  /** Roundcube's own database (users' settings, contacts): SQLite file. */
  sqlitePath: absolutePathSchema,
  tempDir: absolutePathSchema,
  /** Log folder, or null: to stdout (a container's log). */
  logDir: absolutePathSchema.nullable(),
  productName: z
    .string()
    .regex(/^[A-Za-z0-9 ._-]+$/)
    .default('Hostplane Webmail'),
  /** Behind a TLS-terminating proxy (the cluster's edge): cookies are Secure. */
  behindHttps: z.boolean(),
});
export type RoundcubeSettingsInput = z.input<typeof roundcubeSettingsSchema>;

/** The environment variable carrying the 24-character session encryption key (`des_key`). */
export const ROUNDCUBE_KEY_ENV = 'ROUNDCUBE_DES_KEY';

/** A PHP single-quoted string. */
function php(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function host(e: z.infer<typeof endpoint>): string {
  const scheme = e.security === 'starttls' ? 'tls://' : e.security === 'implicit' ? 'ssl://' : '';
  return `${scheme}${e.host}:${e.port}`;
}

/** `config.inc.php` (loaded after Debian's defaults.inc.php from ROUNDCUBE_CONFIG_DIR). */
export function renderRoundcubeConfig(input: RoundcubeSettingsInput): string {
  const s = roundcubeSettingsSchema.parse(input);
  const ssl = [
    "'verify_peer' => true",
    "'verify_peer_name' => true",
    `'peer_name' => ${php(s.tls.peerName)}`,
    ...(s.tls.caFile ? [`'cafile' => ${php(s.tls.caFile)}`] : []),
  ].join(', ');
  const lines = [
    '<?php',
    `// Rendered by @hostplane/platform for target "${s.target}". Do not edit: it is overwritten.`,
    '$config = [];',
    `$config['db_dsnw'] = ${php(`sqlite:///${s.sqlitePath}?mode=0640`)};`,
    `$config['imap_host'] = ${php(host(s.imap))};`,
    `$config['imap_conn_options'] = ['ssl' => [${ssl}]];`,
    `$config['smtp_host'] = ${php(host(s.smtp))};`,
    `$config['smtp_conn_options'] = ['ssl' => [${ssl}]];`,
    // The mailbox's own login and password for submission: Postfix holds it to its own addresses.
    "$config['smtp_user'] = '%u';",
    "$config['smtp_pass'] = '%p';",
    `$config['des_key'] = getenv(${php(ROUNDCUBE_KEY_ENV)}) ?: '';`,
    `$config['temp_dir'] = ${php(s.tempDir)};`,
    ...(s.logDir
      ? [`$config['log_driver'] = 'file';`, `$config['log_dir'] = ${php(s.logDir)};`]
      : [`$config['log_driver'] = 'stdout';`]),
    `$config['product_name'] = ${php(s.productName)};`,
    "$config['skin'] = 'elastic';",
    "$config['plugins'] = [];",
    "$config['support_url'] = '';",
    "$config['enable_installer'] = false;",
    "$config['enable_spellcheck'] = false;",
    // Logins are full addresses; Dovecot creates and subscribes Drafts, Sent, Junk and Trash.
    "$config['username_domain'] = '';",
    "$config['create_default_folders'] = false;",
    "$config['junk_mbox'] = 'Junk';",
    "$config['login_autocomplete'] = 0;",
    "$config['session_lifetime'] = 30;",
    `$config['use_https'] = ${s.behindHttps ? 'true' : 'false'};`,
    "$config['session_samesite'] = 'Strict';",
    '',
  ];
  return lines.join('\n');
}
