import type { MailRows } from '@hostplane/domain';
import {
  type CustomerSnapshot,
  combineRecipientPolicies,
  recipientPolicy,
  type SpamRecipientPolicy,
} from '@hostplane/domain';
import type { IdentityEntry } from '@hostplane/platform';

// Pure: the `spam:` lines of Rspamd's identity map for one customer (issue 17). Rspamd sees a message's
// envelope recipients before Postfix expands aliases, so an alias (or catch-all) gets the most lenient
// policy of the mailboxes it delivers to; a destination outside the platform counts with the defaults.
// Every mailbox gets its own lines, so a catch-all's lines never stand for a mailbox of its domain.

function linesOf(recipient: string, p: SpamRecipientPolicy): IdentityEntry[] {
  return [
    { key: `spam:${recipient}`, value: p.rejectScore === null ? 'off' : String(p.rejectScore) },
    ...p.allow.map((sender) => ({ key: `spam-allow:${sender}/${recipient}`, value: '1' })),
    ...p.block.map((sender) => ({ key: `spam-block:${sender}/${recipient}`, value: '1' })),
  ];
}

export function desiredSpamEntries(snapshot: CustomerSnapshot, rows: MailRows): IdentityEntry[] {
  const settings = new Map(snapshot.mailboxes.map((m) => [m.id, m.filters?.spam ?? null]));
  const mailboxes = new Map(
    rows.users.map((u) => [
      u.email,
      recipientPolicy(u.mailboxId === null ? null : (settings.get(u.mailboxId) ?? null)),
    ]),
  );
  const aliases = new Map<string, string[]>();
  for (const a of rows.aliases) aliases.set(a.source, [...(aliases.get(a.source) ?? []), a.destination]);
  const entries: IdentityEntry[] = [];
  for (const [address, policy] of mailboxes) {
    if (!aliases.has(address)) entries.push(...linesOf(address, policy));
  }
  for (const [source, destinations] of aliases) {
    const policies = destinations.map((d) => mailboxes.get(d) ?? recipientPolicy(null));
    entries.push(...linesOf(source, combineRecipientPolicies(policies)));
  }
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
