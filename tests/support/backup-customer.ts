// The arrange and clean-up the node backup files share (backup-volumes.node, backup-restore.node): a
// panel whose sites' volumes come from the node's provisioner, Velero deployed on the node as bootstrap
// renders it (writing under `prefix` of the stack's S3 bucket), the worker, and one customer on a plan
// that allows backups. The end deletes the customer, its namespace and what Velero wrote.
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { KINDS } from '@hostplane/provisioner-k8s';
import { createCustomer, createPlan, type Panel, runTag, stack, startPanel } from './panel.ts';
import { deployVelero } from './velero-node.ts';

export interface BackupCustomer {
  panel: Panel;
  customerId: number;
}

export async function startBackupCustomer(options: {
  firstId: number;
  prefix: string;
  /** The customer's name. */
  name: string;
  /** Names the plan (`<slug>-<runTag>`) and the owner's e-mail (`owner@<runTag>-<slug>.test`). */
  slug: string;
  /** The platform backup dumps the panel's database of this test (else the stack's). */
  platformDumpsPanel?: boolean;
}): Promise<BackupCustomer> {
  const panel = await startPanel(options.firstId, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
    publicAddresses: { ipv4: ['127.0.0.1'] },
    kubernetes: { namespaceStuckAfterSeconds: 300 },
  });
  const { slug } = options;
  await deployVelero(
    panel.admin,
    stack,
    options.prefix,
    options.platformDumpsPanel ? panel.databaseUrl : undefined,
  );
  await panel.startWorker();
  const plan = await createPlan(panel, slug, { cpu: '4', domains: 1, backupsPerDay: 10 });
  const customerId = await createCustomer(panel, plan.id, options.name, `owner@${runTag}-${slug}.test`);
  return { panel, customerId };
}

/** Deletes the customer (API, then its namespace) and every object under `prefix` in the bucket. */
export async function endBackupCustomer(
  fixture: Partial<BackupCustomer> | undefined,
  prefix: string,
): Promise<void> {
  const { panel, customerId } = fixture ?? {};
  if (panel && customerId) {
    await panel.http('DELETE', `/customers/${customerId}`);
    await panel.admin.delete(KINDS.Namespace, null, `cust-${customerId}`).catch(() => undefined);
  }
  await panel?.close();
  const store = new S3ObjectStore(objectStoreSettingsFromEnv(stack));
  const keys = (await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key);
  await store.delete(keys).catch(() => undefined);
}
