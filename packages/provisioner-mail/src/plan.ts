import {
  aliasKey,
  type MailAliasRow,
  type MailRows,
  type MailSieveRow,
  type MailUserRow,
  sieveKey,
  userKey,
} from '@hostplane/domain';

// Pure: compare desired rows with the rows this customer owns into upserts and deletes (STYLE.md,
// external-dns `plan/`). Rows of domains owned elsewhere are never in `observed.owned`, and desired
// rows of such domains are held back as conflicts instead of being written.

export interface ObservedMail {
  /** Rows of the domains marked as this customer's (virtual_domains.customer_id). */
  owned: MailRows;
  /** Names the customer wants that exist in the mail DB without this customer's mark. */
  foreignDomains: string[];
}

export interface MailPlan {
  domainsToAdd: string[];
  domainsToRemove: string[];
  usersToAdd: MailUserRow[];
  usersToUpdate: MailUserRow[];
  /** Including the users of removed domains: their maildirs go too. */
  usersToRemove: MailUserRow[];
  aliasesToAdd: MailAliasRow[];
  aliasesToRemove: MailAliasRow[];
  /** Desired domains left alone because another owner holds them. */
  conflicts: string[];
  /** Sieve scripts to insert or replace (after the users), and to remove. */
  sieveToWrite: MailSieveRow[];
  sieveToRemove: MailSieveRow[];
}

export function countMailChanges(plan: MailPlan): number {
  return (
    plan.domainsToAdd.length +
    plan.domainsToRemove.length +
    plan.usersToAdd.length +
    plan.usersToUpdate.length +
    plan.usersToRemove.length +
    plan.aliasesToAdd.length +
    plan.aliasesToRemove.length +
    plan.sieveToWrite.length +
    plan.sieveToRemove.length
  );
}

function sameUser(a: MailUserRow, b: MailUserRow): boolean {
  return (
    a.mailboxId === b.mailboxId &&
    a.domain === b.domain &&
    a.sendEnabled === b.sendEnabled &&
    a.password === b.password &&
    a.quotaBytes === b.quotaBytes &&
    a.maildir === b.maildir &&
    a.enabled === b.enabled &&
    a.sendLimitPerHour === b.sendLimitPerHour
  );
}

export function planMailChanges(desired: MailRows, observed: ObservedMail): MailPlan {
  const foreign = new Set(observed.foreignDomains);
  const wantedDomains = desired.domains.filter((d) => !foreign.has(d));
  const wanted = new Set(wantedDomains);
  const have = new Set(observed.owned.domains);

  const desiredUsers = new Map(desired.users.filter((u) => wanted.has(u.domain)).map((u) => [userKey(u), u]));
  const ownedUsers = new Map(observed.owned.users.map((u) => [userKey(u), u]));
  const desiredAliases = new Map(
    desired.aliases.filter((a) => wanted.has(a.domain)).map((a) => [aliasKey(a), a]),
  );
  const ownedAliases = new Map(observed.owned.aliases.map((a) => [aliasKey(a), a]));

  const usersToAdd: MailUserRow[] = [];
  const usersToUpdate: MailUserRow[] = [];
  const replaced: MailUserRow[] = [];
  for (const [key, user] of desiredUsers) {
    const current = ownedUsers.get(key);
    if (!current) {
      usersToAdd.push(user);
    } else if (current.mailboxId !== null && current.mailboxId !== user.mailboxId) {
      // Deleted and created again between two passes: another mailbox, in a folder of its own; the old
      // row and its folder go.
      replaced.push(current);
      usersToAdd.push(user);
    } else {
      // The same mailbox keeps the folder it has (a row from before ids were kept adopts its id here).
      const wanted = { ...user, maildir: current.maildir };
      if (!sameUser(wanted, current)) usersToUpdate.push(wanted);
    }
  }
  const usersToRemove = [
    ...replaced,
    ...[...ownedUsers].filter(([key]) => !desiredUsers.has(key)).map(([, u]) => u),
  ];
  const sieve = planSieve(desired, observed, wanted, new Set(usersToRemove.map(userKey)));
  return {
    ...sieve,
    domainsToAdd: wantedDomains.filter((d) => !have.has(d)),
    domainsToRemove: observed.owned.domains.filter((d) => !wanted.has(d)),
    usersToAdd,
    usersToUpdate,
    usersToRemove,
    aliasesToAdd: [...desiredAliases].filter(([key]) => !ownedAliases.has(key)).map(([, a]) => a),
    aliasesToRemove: [...ownedAliases].filter(([key]) => !desiredAliases.has(key)).map(([, a]) => a),
    conflicts: desired.domains.filter((d) => foreign.has(d)),
  };
}

/** Scripts compare by id (their SHA-256). A removed or replaced user's scripts go with its row (ON DELETE
 * CASCADE): they are neither deleted one by one nor counted as present. */
function planSieve(
  desired: MailRows,
  observed: ObservedMail,
  wantedDomains: Set<string>,
  removedUsers: Set<string>,
): Pick<MailPlan, 'sieveToWrite' | 'sieveToRemove'> {
  const want = new Map(
    (desired.sieveScripts ?? []).filter((s) => wantedDomains.has(s.domain)).map((s) => [sieveKey(s), s]),
  );
  const have = new Map(
    (observed.owned.sieveScripts ?? [])
      .filter((s) => !removedUsers.has(s.email))
      .map((s) => [sieveKey(s), s]),
  );
  return {
    sieveToWrite: [...want].filter(([key, s]) => have.get(key)?.scriptId !== s.scriptId).map(([, s]) => s),
    sieveToRemove: [...have].filter(([key]) => !want.has(key)).map(([, s]) => s),
  };
}
