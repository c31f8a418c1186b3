// Integration fixtures: Velero's namespace with the panel's Role, and a Kubernetes client holding the
// panel service account's token (never cluster-admin).
import { randomBytes } from 'node:crypto';
import type { PanelDatabase } from '@hostplane/db';
import type { CustomerSnapshot, PlanLimits } from '@hostplane/domain';
import { defaultPanelRbacOptions, panelBackupRbacManifests, panelRbacManifests } from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { PassContext } from '@hostplane/reconcile';
import { insertPlan, smallPlan } from '@hostplane/testing';
import type { Kysely } from 'kysely';

export const BACKUP_NAMESPACE = 'backup-system';

/** The tests' small plan, keeping its backups for two weeks. */
export const limits: PlanLimits = { ...smallPlan, backupRetentionDays: 14 };

/** A customer with an id of its own, so its Velero objects cannot meet another run's. */
export async function insertCustomer(db: Kysely<PanelDatabase>): Promise<CustomerSnapshot> {
  const planId = await insertPlan(db, limits);
  const id = 700_000 + randomBytes(3).readUIntBE(0, 3);
  await db
    .insertInto('customers')
    .values({ id, name: 'Backup Co', email: `b${id}@example.test`, plan_id: planId, owner_id: null })
    .execute();
  return {
    id,
    name: 'Backup Co',
    email: `b${id}@example.test`,
    generation: 1,
    suspended: false,
    deleting: false,
    plan: { id: planId, name: 'p', limits },
    sites: [],
    domains: [],
    mailboxes: [],
    aliases: [],
  };
}

/** Velero's namespace and the panel's Role in it (what `hostplane bootstrap` installs), then a panel client. */
export async function panelClient(admin: KubeHttpClient, kubeconfig: string): Promise<KubeHttpClient> {
  // Created only when missing: re-applying it under our field manager would drop bootstrap's labels.
  if (!(await admin.get(KINDS.Namespace, null, BACKUP_NAMESPACE)))
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: BACKUP_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'hostplane' } },
    });
  for (const object of [...panelRbacManifests(), ...panelBackupRbacManifests(BACKUP_NAMESPACE)])
    await admin.apply(object);
  const { namespace, serviceAccount } = defaultPanelRbacOptions;
  const token = await admin.createServiceAccountToken(namespace, serviceAccount, 3600);
  return KubeHttpClient.fromToken(kubeconfig, token);
}

export function testContext(): PassContext {
  const noop = () => undefined;
  return { signal: new AbortController().signal, log: { info: noop, warn: noop, error: noop, debug: noop } };
}
