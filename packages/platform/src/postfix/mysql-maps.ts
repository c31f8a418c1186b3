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
  // Who may use a sender address: its own enabled mailbox, and mailboxes an alias delivers to.
  senderLogins:
    "SELECT email FROM virtual_users WHERE email = '%s' AND enabled = 1 UNION SELECT a.destination FROM virtual_aliases a JOIN virtual_users u ON u.email = a.destination AND u.enabled = 1 WHERE a.source = '%s'",
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
