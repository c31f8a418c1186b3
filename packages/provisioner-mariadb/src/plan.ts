// Desired vs observed server state → the statements to send, as plain data (pure, tested).
import type { ServerState } from './desired.ts';

export interface ObservedServer {
  databases: string[];
  /** Users at host '%' other than the server's own (root, mariadb.sys, …). */
  users: { name: string; hash: string }[];
  /** (user, database) pairs with privileges at the database level. */
  grants: { user: string; database: string }[];
}

export type ServerChange =
  | { op: 'createDatabase'; database: string }
  | { op: 'createUser'; user: string; hash: string }
  | { op: 'setPassword'; user: string; hash: string }
  | { op: 'grant'; user: string; database: string }
  | { op: 'revoke'; user: string; database: string }
  | { op: 'dropUser'; user: string }
  | { op: 'dropDatabase'; database: string };

/**
 * Every object on the server besides MariaDB's own is ours: the instance is the customer's, made by the
 * platform, and its users hold privileges on their own database only (no CREATE USER, no GRANT OPTION),
 * so whatever exists there came from this plan.
 */
export function planServerChanges(desired: ServerState, observed: ObservedServer): ServerChange[] {
  const changes: ServerChange[] = [];
  const haveDbs = new Set(observed.databases);
  const wantDbs = new Set(desired.databases);
  const haveUsers = new Map(observed.users.map((u) => [u.name, u.hash]));
  const wantUsers = new Set(desired.users.map((u) => u.name));
  const grantKey = (user: string, database: string) => `${user}\u0000${database}`;
  const haveGrants = new Set(observed.grants.map((g) => grantKey(g.user, g.database)));
  const wantGrants = new Set(desired.users.map((u) => grantKey(u.name, u.database)));
  for (const database of desired.databases)
    if (!haveDbs.has(database)) changes.push({ op: 'createDatabase', database });
  for (const user of desired.users) {
    const hash = haveUsers.get(user.name);
    if (hash === undefined) changes.push({ op: 'createUser', user: user.name, hash: user.hash });
    else if (hash.toUpperCase() !== user.hash.toUpperCase())
      changes.push({ op: 'setPassword', user: user.name, hash: user.hash });
  }
  for (const user of desired.users)
    if (!haveGrants.has(grantKey(user.name, user.database)))
      changes.push({ op: 'grant', user: user.name, database: user.database });
  for (const grant of [...observed.grants].sort((a, b) =>
    grantKey(a.user, a.database) < grantKey(b.user, b.database) ? -1 : 1,
  ))
    if (wantUsers.has(grant.user) && !wantGrants.has(grantKey(grant.user, grant.database)))
      changes.push({ op: 'revoke', user: grant.user, database: grant.database });
  for (const user of [...haveUsers.keys()].sort())
    if (!wantUsers.has(user)) changes.push({ op: 'dropUser', user });
  for (const database of [...observed.databases].sort())
    if (!wantDbs.has(database)) changes.push({ op: 'dropDatabase', database });
  return changes;
}
