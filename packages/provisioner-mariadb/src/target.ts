// The Databases target: databases and users inside the customer's own MariaDB, converged from the
// panel's rows (desired → observe → plan → apply → verify). The server itself (StatefulSet, Secrets)
// is the Kubernetes target's; until it answers this target says so and asks for another pass.
import { type CustomerSnapshot, wantsDatabaseServer } from '@hostplane/domain';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import { desiredServerState } from './desired.ts';
import { planServerChanges } from './plan.ts';
import type { ConnectServer, DatabaseServer, ServerAddressOf } from './port.ts';

export interface DatabasesTargetDeps {
  addressOf: ServerAddressOf;
  connect: ConnectServer;
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ECONNRESET',
  'EAI_AGAIN',
]);

function waiting(message: string): TargetOutcome {
  return { status: 'False', reason: 'ServerStarting', message, changes: 0, requeue: true };
}

/** Snapshots reach targets with their sealed values opened (the worker's openSnapshotSecrets). */
export function createDatabasesTarget(deps: DatabasesTargetDeps): Target {
  return {
    name: 'Databases',
    async run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
      if (snapshot.deleting)
        return {
          status: 'True',
          reason: 'Deleted',
          message: 'the server goes with the namespace',
          changes: 0,
        };
      if (!wantsDatabaseServer(snapshot) || !snapshot.databaseServer)
        return { status: 'True', reason: 'NoDatabases', message: 'no databases', changes: 0 };
      const address = await deps.addressOf(snapshot.id);
      if (!address) return waiting('the database server has no address yet');
      let server: DatabaseServer;
      try {
        server = await deps.connect(address, snapshot.databaseServer.rootPassword);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (CONNECT_ERRORS.has(code) || code === 'PROTOCOL_CONNECTION_LOST')
          return waiting(`the database server does not answer yet (${code})`);
        throw err;
      }
      try {
        const desired = desiredServerState(snapshot);
        const changes = planServerChanges(desired, await server.observe());
        let failed = 0;
        for (const change of changes) {
          const started = Date.now();
          try {
            await server.apply(change);
            ctx.log.info({ op: change.op, outcome: 'applied', ms: Date.now() - started }, 'database change');
          } catch (err) {
            failed++;
            ctx.log.error({ op: change.op, err: (err as Error).message }, 'database change failed');
          }
        }
        const left = planServerChanges(desired, await server.observe());
        if (failed > 0 || left.length > 0)
          return {
            status: 'False',
            reason: 'ApplyFailed',
            message: `${failed} change(s) failed, ${left.length} left`,
            changes: changes.length - failed,
            requeue: true,
          };
        const n = desired.databases.length;
        return {
          status: 'True',
          reason: 'Ready',
          message: `${n} database(s) ready`,
          changes: changes.length,
        };
      } finally {
        await server.close();
      }
    },
  };
}
