// What the customer's MariaDB should hold: its databases and users (pure, sorted, no secrets in
// clear: users carry the native password hash the server stores).
import { type CustomerSnapshot, nativePasswordHash } from '@hostplane/domain';

export interface DesiredUser {
  name: string;
  /** mysql_native_password hash ("*" + 40 hex). */
  hash: string;
  /** The one database the user has every privilege on. */
  database: string;
}

export interface ServerState {
  databases: string[];
  users: DesiredUser[];
}

/** From a snapshot whose secrets are opened (openSnapshotSecrets). */
export function desiredServerState(snapshot: CustomerSnapshot): ServerState {
  const databases = [...(snapshot.databases ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    databases: databases.map((d) => d.name),
    users: databases
      .flatMap((d) =>
        d.users.map((u) => ({ name: u.name, hash: nativePasswordHash(u.password), database: d.name })),
      )
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}
