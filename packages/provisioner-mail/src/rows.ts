// The mail database's rows in our words: what desired.ts computes and the MySQL client observes.
// Both sides are normalised the same way (lower case addresses, sorted) so a converged customer plans
// nothing.

export interface MailUserRow {
  email: string;
  domain: string;
  /** With its scheme prefix, e.g. {ARGON2ID}$argon2id$…, as Dovecot verifies it. */
  password: string;
  quotaBytes: number;
  /** Relative to the mail root: `{domain}/{local}/`. */
  maildir: string;
  enabled: boolean;
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
