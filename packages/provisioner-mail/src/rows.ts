// The mail database's rows in our words: what desired.ts computes and the MySQL client observes.
// Both sides are normalised the same way (lower case addresses, sorted) so a converged customer plans
// nothing.

export interface MailUserRow {
  /** The panel's mailbox id (virtual_users.mailbox_id); null on a row written before ids were kept. */
  mailboxId: number | null;
  email: string;
  domain: string;
  /** With its scheme prefix, e.g. {ARGON2ID}$argon2id$…, as Dovecot verifies it. */
  password: string;
  quotaBytes: number;
  /** Relative to the mail root: `{domain}/{local}@{mailboxId}/` — never reused by a later mailbox of the
   * same address (`@` cannot occur in a local part, so no older `{domain}/{local}/` folder matches). */
  maildir: string;
  enabled: boolean;
  /** False while the customer is suspended: the mailbox may log in and receive, but not send. */
  sendEnabled: boolean;
  sendLimitPerHour: number;
}

/** One alias row per destination; a catch-all has source `@domain`. */
export interface MailAliasRow {
  domain: string;
  source: string;
  destination: string;
}

export interface MailRows {
  domains: string[];
  users: MailUserRow[];
  aliases: MailAliasRow[];
}

export function userKey(user: Pick<MailUserRow, 'email'>): string {
  return user.email;
}

export function aliasKey(alias: Pick<MailAliasRow, 'source' | 'destination'>): string {
  return `${alias.source}\u0000${alias.destination}`;
}

export function sortRows(rows: MailRows): MailRows {
  return {
    domains: [...rows.domains].sort(),
    users: [...rows.users].sort((a, b) => a.email.localeCompare(b.email)),
    aliases: [...rows.aliases].sort((a, b) => aliasKey(a).localeCompare(aliasKey(b))),
  };
}
