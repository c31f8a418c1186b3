import { type MailRows, splitAddress } from '@hostplane/domain';
import type { IdentityEntry } from '@hostplane/platform';

// Pure: the lines of Rspamd's identity map for one customer (renderIdentityMap). Rspamd refuses mail of
// an authenticated login whose header From (or envelope sender) lies outside the domains carrying the
// login's customer id, and rate-limits mail to aliases that forward outside the customer.

/** The limit of a forwarding alias when the customer has no mailbox to take one from (messages/hour). */
export const DEFAULT_FORWARD_LIMIT_PER_HOUR = 100;

/** The domain an identity key is about (`domain:x` → x, `login:a@x` and `forward:a@x` → x). */
export function identityKeyDomain(key: string): string {
  const value = key.slice(key.indexOf(':') + 1);
  return value.slice(value.lastIndexOf('@') + 1);
}

/**
 * `rows`: the customer's desired rows, of domains it owns in the mail database only. A login appears
 * only while it may send (enabled, customer not suspended). A forwarding alias (one destination outside
 * the customer's mail domains) gets the customer's lowest mailbox send limit: forwarding is no way
 * around what submission allows.
 */
export function desiredIdentities(customerId: number, rows: MailRows): IdentityEntry[] {
  const owner = String(customerId);
  const domains = new Set(rows.domains);
  const entries: IdentityEntry[] = rows.domains.map((name) => ({ key: `domain:${name}`, value: owner }));
  for (const user of rows.users) {
    if (user.enabled && user.sendEnabled) entries.push({ key: `login:${user.email}`, value: owner });
  }
  const limits = rows.users.map((u) => u.sendLimitPerHour).filter((n) => n > 0);
  const forwardLimit = limits.length > 0 ? Math.min(...limits) : DEFAULT_FORWARD_LIMIT_PER_HOUR;
  const forwarding = new Set(
    rows.aliases.filter((a) => !domains.has(splitAddress(a.destination)?.domain ?? '')).map((a) => a.source),
  );
  for (const source of forwarding) entries.push({ key: `forward:${source}`, value: String(forwardLimit) });
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
