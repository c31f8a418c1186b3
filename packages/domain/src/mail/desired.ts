import { createHash } from 'node:crypto';
import { isNameVerified } from '../ownership/verification.ts';
import type { CustomerSnapshot, MailboxRow } from '../snapshot.ts';
import type { MailAliasRow, MailRows, MailSieveRow, MailUserRow } from './rows.ts';
import { sortRows } from './rows.ts';
import { renderMailboxSieve } from './sieve.ts';
import { renderSpamSieve, SPAM_SIEVE_SCRIPT } from './spam.ts';

// Pure: the mail rows one customer should have, from the panel's snapshot. No clocks, no random values:
// password hashes and DKIM keys come from the rows, so every pass computes the same value.

/** A local part that is safe as a maildir folder name (no `/`, no leading dot, no `..`). */
const SAFE_LOCAL_PART = /^[a-z0-9!#$%&'*+=?^_`{|}~-][a-z0-9!#$%&'*+=?^_`{|}~.-]{0,63}$/;
const DOMAIN_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export interface DesiredMail {
  /** Every domain name of the customer's snapshot (mail on or off): the names this customer may own. */
  customerDomains: string[];
  rows: MailRows;
  /** Rows left out because they cannot be written safely, in words for the condition message. */
  issues: string[];
  /** Mail domains left out until their ownership is verified (README "Domain verification"). */
  awaitingVerification: string[];
}

export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** A mailbox's folder: named after the panel's row id too, so a mailbox created again at the same
 * address starts empty and never reads the mail of the one before. */
export function maildirOf(domain: string, local: string, mailboxId: number): string {
  return `${domain}/${local}@${mailboxId}/`;
}

function desiredUser(
  mailbox: MailboxRow,
  mailDomains: Set<string>,
  suspended: boolean,
  unverified: Set<string>,
  issues: string[],
): MailUserRow | null {
  const email = mailbox.address.trim().toLowerCase();
  const parts = splitAddress(email);
  if (parts && unverified.has(parts.domain)) return null; // goes live with its domain
  if (!parts || !mailDomains.has(parts.domain)) {
    issues.push(`mailbox ${email}: its domain has no mail`);
    return null;
  }
  if (!SAFE_LOCAL_PART.test(parts.local) || parts.local.includes('..')) {
    issues.push(`mailbox ${email}: local part cannot name a maildir`);
    return null;
  }
  if (!Number.isSafeInteger(mailbox.id) || mailbox.id <= 0) {
    issues.push(`mailbox ${email}: no row id`);
    return null;
  }
  return {
    mailboxId: mailbox.id,
    email,
    domain: parts.domain,
    password: mailbox.passwordHash,
    quotaBytes: mailbox.quotaBytes,
    maildir: maildirOf(parts.domain, parts.local, mailbox.id),
    enabled: mailbox.enabled,
    sendEnabled: !suspended,
    sendLimitPerHour: mailbox.sendLimitPerHour,
  };
}

function desiredAliases(
  snapshot: CustomerSnapshot,
  mailDomains: Set<string>,
  unverified: Set<string>,
  issues: string[],
): MailAliasRow[] {
  const out = new Map<string, MailAliasRow>();
  for (const alias of snapshot.aliases) {
    const source = alias.source.trim().toLowerCase();
    const domain = splitAddress(source)?.domain ?? '';
    if (unverified.has(domain)) continue; // goes live with its domain
    if (!mailDomains.has(domain)) {
      issues.push(`alias ${source}: its domain has no mail`);
      continue;
    }
    for (const raw of alias.destinations) {
      const destination = raw.trim().toLowerCase();
      if (!splitAddress(destination)?.domain) {
        issues.push(`alias ${source}: destination ${destination} is no address`);
        continue;
      }
      out.set(`${source}\u0000${destination}`, { domain, source, destination });
    }
  }
  return [...out.values()];
}

/** The customer's desired mail rows. A deleting customer wants none (but still names its domains). */
export function desiredMail(snapshot: CustomerSnapshot): DesiredMail {
  const customerDomains = [...new Set(snapshot.domains.map((d) => d.name.toLowerCase()))].sort();
  const issues: string[] = [];
  if (snapshot.deleting)
    return {
      customerDomains,
      rows: { domains: [], users: [], aliases: [] },
      issues,
      awaitingVerification: [],
    };
  // A mail domain row captures every message the platform's users and sites send to the name: it
  // exists only once the customer has proven the name is theirs.
  const mailOn = snapshot.domains.filter((d) => d.mail);
  const awaitingVerification = mailOn
    .filter((d) => !isNameVerified(d.name, snapshot.domains))
    .map((d) => d.name.toLowerCase())
    .sort();
  const unverified = new Set(awaitingVerification);
  const domains = mailOn
    .map((d) => d.name.toLowerCase())
    .filter((name) => !unverified.has(name))
    .filter((name) => {
      if (DOMAIN_NAME.test(name)) return true;
      issues.push(`domain ${name}: not a lower-case IDNA name`);
      return false;
    });
  const mailDomains = new Set(domains);
  const users = snapshot.mailboxes
    .map((m) => desiredUser(m, mailDomains, snapshot.suspended, unverified, issues))
    .filter((u): u is MailUserRow => u !== null);
  const aliases = desiredAliases(snapshot, mailDomains, unverified, issues);
  const sieveScripts = desiredSieveScripts(snapshot, users, aliases);
  return {
    customerDomains,
    rows: sortRows({ domains: [...mailDomains], users, aliases, sieveScripts }),
    issues,
    awaitingVerification,
  };
}

export function sieveScriptId(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** Each written mailbox's Sieve scripts: spam filing (`spam`), the panel's rules (`hostplane`) and the
 * customer's own (`custom`).
 * The autoresponder also answers mail that reached the mailbox through an alias (not a catch-all). */
export function desiredSieveScripts(
  snapshot: CustomerSnapshot,
  users: readonly MailUserRow[],
  aliases: readonly MailAliasRow[],
): MailSieveRow[] {
  const out: MailSieveRow[] = [];
  for (const user of users) {
    const filters = snapshot.mailboxes.find((m) => m.id === user.mailboxId)?.filters;
    // Every mailbox files spam into Junk (default thresholds without settings of its own).
    const spam = renderSpamSieve(filters?.spam ?? null);
    out.push({
      email: user.email,
      domain: user.domain,
      name: SPAM_SIEVE_SCRIPT,
      scriptId: sieveScriptId(spam),
      script: spam,
    });
    if (!filters) continue;
    const via = aliases
      .filter((a) => a.destination === user.email && !a.source.startsWith('@'))
      .map((a) => a.source);
    const scripts: [string, string | null][] = [
      ['hostplane', renderMailboxSieve(filters, via)],
      ['custom', filters.customSieve && filters.customSieve.trim() !== '' ? filters.customSieve : null],
    ];
    for (const [name, script] of scripts) {
      if (script === null) continue;
      out.push({ email: user.email, domain: user.domain, name, scriptId: sieveScriptId(script), script });
    }
  }
  return out;
}
