// Pure: a mailbox's spam settings (issue 17) and what they become.
//
// Two systems act on them, each where it can:
// - Rspamd decides at SMTP time whether a message is REJECTED. It scans a message once for all its
//   envelope recipients, so it rejects only when every recipient would (each recipient's `rejectScore`
//   reached, or the sender on its block list) and never when one recipient allows the sender.
// - Dovecot's Sieve (the `spam` script, before the panel's other rules) decides per mailbox, at
//   delivery, whether an accepted message goes to Junk: from the score Rspamd stamped on it
//   (`X-Hostplane-Spam-Centiscore`), the mailbox's `junkScore`, and its allow and block lists. A message
//   accepted because another recipient wanted it, but at or over this mailbox's `rejectScore`, goes to
//   Junk too (never silently dropped); a blocked sender's message is discarded for this mailbox.
//
// Senders are matched on the envelope sender and the header From, by address or by `@domain`.

import { sieveString } from './sieve.ts';

export interface SpamSettings {
  /** Rspamd score from which a message goes to Junk. */
  junkScore: number;
  /** Rspamd score from which a message is refused at SMTP time; null: never refused for its score. */
  rejectScore: number | null;
  /** Senders (`user@domain` or `@domain`) whose mail is never junked or refused. */
  allow: string[];
  /** Senders whose mail is refused (or, when another recipient takes it, dropped for this mailbox). */
  block: string[];
}

/** Rspamd's own thresholds: `add_header` at 6 and `reject` at 15. */
export const DEFAULT_SPAM_SETTINGS: SpamSettings = { junkScore: 6, rejectScore: 15, allow: [], block: [] };

/** The header Rspamd's Hostplane policy adds to every scanned message: the score in hundredths, never
 * below 0, so Sieve can compare it as an integer (RFC 4790 i;ascii-numeric). Forged copies are removed. */
export const SPAM_SCORE_HEADER = 'X-Hostplane-Spam-Centiscore';

/** The name of the Sieve script (mail DB `virtual_sieve_scripts`) that files spam; it runs first. */
export const SPAM_SIEVE_SCRIPT = 'spam';

/** Sorted, lower-cased, without duplicates: the stored form (the script's hash must be stable). */
export function normaliseSpamSettings(s: SpamSettings): SpamSettings {
  const list = (values: readonly string[]) => [...new Set(values.map((v) => v.trim().toLowerCase()))].sort();
  return { junkScore: s.junkScore, rejectScore: s.rejectScore, allow: list(s.allow), block: list(s.block) };
}

/** The score in hundredths, as the header carries it (scores below zero count as 0). */
export function centiscore(score: number): number {
  return Math.max(0, Math.round(score * 100));
}

/** The score from which this mailbox files a message into Junk: `junkScore`, or `rejectScore` when lower. */
export function junkFrom(s: SpamSettings): number {
  return s.rejectScore === null ? s.junkScore : Math.min(s.junkScore, s.rejectScore);
}

function senderTests(senders: readonly string[]): string[] {
  const addresses = senders.filter((s) => !s.startsWith('@'));
  const domains = senders.filter((s) => s.startsWith('@')).map((s) => s.slice(1));
  const tests: string[] = [];
  const list = (values: string[]) => `[${values.map(sieveString).join(', ')}]`;
  if (addresses.length > 0) {
    tests.push(`address :all :is "from" ${list(addresses)}`, `envelope :all :is "from" ${list(addresses)}`);
  }
  if (domains.length > 0) {
    tests.push(`address :domain :is "from" ${list(domains)}`, `envelope :domain :is "from" ${list(domains)}`);
  }
  return tests;
}

function anyof(tests: string[]): string {
  return tests.length === 1 ? (tests[0] as string) : `anyof(${tests.join(', ')})`;
}

/**
 * The mailbox's `spam` Sieve script. Every mailbox has one (defaults when it has no settings): Junk is
 * where spam goes. `stop` ends the whole run, so a junked or dropped message gets no autoresponse and is
 * not forwarded.
 */
export function renderSpamSieve(settings: SpamSettings | null): string {
  const s = normaliseSpamSettings(settings ?? DEFAULT_SPAM_SETTINGS);
  const allow = senderTests(s.allow);
  const block = senderTests(s.block);
  const lines = [
    '# Hostplane: spam settings, managed by the panel; edits here are replaced.',
    'require ["comparator-i;ascii-numeric", "envelope", "fileinto", "relational"];',
  ];
  let keyword = 'if';
  if (allow.length > 0) {
    lines.push(`${keyword} ${anyof(allow)} {`, '  # an allowed sender: never junk', '}');
    keyword = 'elsif';
  }
  if (block.length > 0) {
    lines.push(`${keyword} ${anyof(block)} {`, '  discard;', '  stop;', '}');
    keyword = 'elsif';
  }
  const from = String(centiscore(junkFrom(s)));
  lines.push(
    `${keyword} header :value "ge" :comparator "i;ascii-numeric" ${sieveString(SPAM_SCORE_HEADER)} ${sieveString(from)} {`,
    '  fileinto "Junk";',
    '  stop;',
    '}',
    '',
  );
  return lines.join('\n');
}

/** Rspamd's view of one recipient address: its reject threshold and sender lists (see above). Aliases
 * take the most lenient view of their local destinations: refused only if every destination refuses. */
export interface SpamRecipientPolicy {
  rejectScore: number | null;
  allow: string[];
  block: string[];
}

export function recipientPolicy(s: SpamSettings | null): SpamRecipientPolicy {
  const n = normaliseSpamSettings(s ?? DEFAULT_SPAM_SETTINGS);
  return { rejectScore: n.rejectScore, allow: n.allow, block: n.block };
}

/** The policy of an address that delivers to several mailboxes: it refuses what all of them refuse. */
export function combineRecipientPolicies(policies: readonly SpamRecipientPolicy[]): SpamRecipientPolicy {
  const first = policies[0];
  if (!first) return recipientPolicy(null);
  const rejects = policies.map((p) => p.rejectScore);
  const rejectScore = rejects.some((r) => r === null) ? null : Math.max(...(rejects as number[]));
  const allow = [...new Set(policies.flatMap((p) => p.allow))].sort();
  const block = first.block.filter((b) => policies.every((p) => p.block.includes(b))).sort();
  return { rejectScore, allow, block };
}
