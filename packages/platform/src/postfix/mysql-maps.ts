import type { RenderedFile } from '../mail-settings.ts';
import { MAP_FILES, type PostfixSettings } from './settings.ts';

// Postfix escapes %s for SQL and folds the key to lower case; the tables compare without case.
const QUERIES: Record<keyof typeof MAP_FILES, string> = {
  domains: "SELECT 1 FROM virtual_domains WHERE name = '%s'",
  // The value is unused with LMTP delivery (Dovecot owns the path) but is the real maildir.
  mailboxes: "SELECT maildir FROM virtual_users WHERE email = '%s'",
  // Tried for user@domain, then @domain (the catch-all).
  aliases: "SELECT destination FROM virtual_aliases WHERE source = '%s'",
  // Maps a mailbox to itself so that a catch-all (@domain) never swallows an existing mailbox:
  // Postfix looks the full address up in every alias map before it tries @domain.
  mailboxIdentity: "SELECT email FROM virtual_users WHERE email = '%s'",
  // Who may use a sender address (%s the address, %d its domain): every mailbox of the customer that
  // owns the address's domain (virtual_domains.customer_id), so a login sends as any address of its own
  // customer and never as another's. Rows the panel did not write (no customer) keep the narrow rule:
  // the mailbox itself and the mailboxes an alias delivers to. Disabled and suspended mailboxes own
  // nothing.
  senderLogins:
    "SELECT u.email FROM virtual_domains s JOIN virtual_domains d ON d.customer_id = s.customer_id JOIN virtual_users u ON u.domain_id = d.id WHERE s.name = '%d' AND s.customer_id IS NOT NULL AND u.enabled = 1 AND u.send_enabled = 1 UNION SELECT email FROM virtual_users WHERE email = '%s' AND enabled = 1 AND send_enabled = 1 UNION SELECT a.destination FROM virtual_aliases a JOIN virtual_users u ON u.email = a.destination AND u.enabled = 1 AND u.send_enabled = 1 WHERE a.source = '%s'",
  // check_sasl_access on the submission services: a login whose sending is off (its customer is
  // suspended) is refused whatever the envelope sender, `MAIL FROM:<>` included.
  saslAccess:
    "SELECT 'REJECT 5.7.1 sending is suspended for this mailbox' FROM virtual_users WHERE email = '%s' AND send_enabled = 0",
};

export function renderMysqlMaps(settings: PostfixSettings): RenderedFile[] {
  const { mailDb } = settings;
  return (Object.keys(MAP_FILES) as (keyof typeof MAP_FILES)[]).map((key) => ({
    name: MAP_FILES[key],
    sensitive: true,
    content: [
      `# Rendered by @hostplane/platform for target "${settings.target}". Do not edit: it is overwritten.`,
      `hosts = inet:${mailDb.host}:${mailDb.port}`,
      `user = ${mailDb.user}`,
      `password = ${mailDb.password}`,
      `dbname = ${mailDb.database}`,
      `query = ${QUERIES[key]}`,
      '',
    ].join('\n'),
  }));
}

export function mapReference(settings: PostfixSettings, key: keyof typeof MAP_FILES): string {
  return `mysql:${settings.paths.configDir}/${MAP_FILES[key]}`;
}
