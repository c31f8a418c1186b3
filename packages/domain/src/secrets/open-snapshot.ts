import type { CustomerSnapshot } from '../snapshot.ts';
import { openStoredSecret } from './sealed.ts';

/** The snapshot with its sealed values opened, as the targets need them (site database passwords). */
export function openSnapshotSecrets(
  snapshot: CustomerSnapshot,
  secretKey: string | undefined,
): CustomerSnapshot {
  return {
    ...snapshot,
    sites: snapshot.sites.map((site) =>
      site.databasePassword === null
        ? site
        : { ...site, databasePassword: openStoredSecret(site.databasePassword, secretKey) },
    ),
    ...(snapshot.databases
      ? {
          databases: snapshot.databases.map((db) => ({
            ...db,
            users: db.users.map((u) => ({ ...u, password: openStoredSecret(u.password, secretKey) })),
          })),
        }
      : {}),
    ...(snapshot.databaseServer
      ? {
          databaseServer: { rootPassword: openStoredSecret(snapshot.databaseServer.rootPassword, secretKey) },
        }
      : {}),
  };
}
