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

/** A Sieve script of one mailbox in `virtual_sieve_scripts` (Dovecot's Sieve dict reads it). */
export interface MailSieveRow {
  email: string;
  domain: string;
  /** `hostplane` (the panel's rules) or `custom` (the customer's own), platform's PANEL_SIEVE_SCRIPTS. */
  name: string;
  /** SHA-256 of `script`: what observe reads and plan compares. */
  scriptId: string;
  /** Empty on observed rows (the id says enough). */
  script: string;
}

export interface MailRows {
  domains: string[];
  users: MailUserRow[];
  aliases: MailAliasRow[];
  /** Absent means none. */
  sieveScripts?: MailSieveRow[];
}

export function sieveKey(row: Pick<MailSieveRow, 'email' | 'name'>): string {
  return `${row.email}\u0000${row.name}`;
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
    ...(rows.sieveScripts
      ? { sieveScripts: [...rows.sieveScripts].sort((a, b) => sieveKey(a).localeCompare(sieveKey(b))) }
      : {}),
  };
}
