import { backupJobLedger, type PanelDatabase } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { scheduleName } from '@hostplane/domain';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { Target } from '@hostplane/reconcile';
import { createPanelScratchDb, loadStackEnv, type PanelScratchDb } from '@hostplane/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupTarget } from './target.ts';
import { BACKUP_NAMESPACE, insertCustomer, panelClient, testContext } from './test-support/fixtures.ts';

// No Velero controller runs in the local stack (only its CRDs are installed), so nothing moves a
// Backup along by itself. The test plays Velero's part: it writes status.phase and the timestamps
// with a merge patch under the field manager `velero-server`. Velero 1.18's CRDs declare no status
// subresource, so that patch goes to the object itself, as Velero's own client does.

const env = loadStackEnv();
let admin: KubeHttpClient;
let panel: KubeHttpClient;
let database: PanelScratchDb;
let db: Kysely<PanelDatabase>;
let customer: CustomerSnapshot;
let target: Target;

beforeAll(async () => {
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  panel = await panelClient(admin, env.KUBECONFIG);
  database = await createPanelScratchDb('backup');
  db = database.db;
  customer = await insertCustomer(db);
  target = createBackupTarget({
    kube: panel,
    ledger: backupJobLedger(db),
    settings: { namespace: BACKUP_NAMESPACE, storageLocation: 'default' },
  });
});

afterAll(async () => {
  const selector = `customer-id=${customer?.id}`;
  for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore]) {
    for (const o of await admin.list(kind, BACKUP_NAMESPACE, selector))
      await admin.delete(kind, BACKUP_NAMESPACE, o.metadata.name);
  }
  await database?.drop();
  await Promise.all([admin?.close(), panel?.close()]);
});

const row = (table: 'backups' | 'restores', name: string) =>
  db.selectFrom(table).selectAll().where('name', '=', name).executeTakeFirstOrThrow();

/** What Velero's server would write as it works on an object. */
const playVelero = (kind: typeof KINDS.Backup, name: string, status: object) =>
  admin.patchMerge(kind, BACKUP_NAMESPACE, name, { status }, 'velero-server');

describe('Backup target against the local apiserver', () => {
  it('creates the daily Schedule of the tenant namespace, tenant objects only', async () => {
    const outcome = await target.run(customer, testContext());
    expect(outcome).toMatchObject({ status: 'True', reason: 'Scheduled', changes: 1 });
    const schedule = await admin.get(KINDS.Schedule, BACKUP_NAMESPACE, scheduleName(customer.id));
    expect(schedule?.metadata.labels).toMatchObject({
      tenant: 'true',
      'customer-id': String(customer.id),
      'app.kubernetes.io/managed-by': 'hostplane',
    });
    expect(schedule?.spec?.template).toMatchObject({
      includedNamespaces: [`cust-${customer.id}`],
      labelSelector: { matchLabels: { tenant: 'true' } },
      defaultVolumesToFsBackup: true,
      ttl: '336h0m0s',
      storageLocation: 'default',
    });
  });

  it('a backups row becomes a Velero Backup; Velero’s phase and times come back to the row', async () => {
    const name = `cust-${customer.id}-before-upgrade`;
    await db.insertInto('backups').values({ customer_id: customer.id, name }).execute();
    expect(await target.run(customer, testContext())).toMatchObject({ changes: 1, requeue: true });
    const backup = await admin.get(KINDS.Backup, BACKUP_NAMESPACE, name);
    expect(backup?.spec).toMatchObject({ includedNamespaces: [`cust-${customer.id}`], ttl: '336h0m0s' });

    await playVelero(KINDS.Backup, name, { phase: 'InProgress', startTimestamp: '2026-11-26T08:00:00Z' });
    await target.run(customer, testContext());
    expect(await row('backups', name)).toMatchObject({ phase: 'InProgress', completed_at: null });

    await playVelero(KINDS.Backup, name, { phase: 'Completed', completionTimestamp: '2026-11-26T08:02:30Z' });
    const outcome = await target.run(customer, testContext());
    expect(outcome).toMatchObject({ status: 'True', reason: 'Scheduled', changes: 0 });
    const done = await row('backups', name);
    expect(done.phase).toBe('Completed');
    expect(done.started_at?.toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(done.completed_at?.toISOString()).toBe('2026-11-26T08:02:30.000Z');
  });

  it('a second pass writes nothing, to Kubernetes or to the rows', async () => {
    await target.run(customer, testContext()); // its own first pass
    const before = { ...panel.stats };
    const rowsBefore = await db.selectFrom('backups').selectAll().execute();
    expect(await target.run(customer, testContext())).toMatchObject({ changes: 0 });
    expect(panel.stats.writes).toBe(before.writes);
    expect(await db.selectFrom('backups').selectAll().execute()).toEqual(rowsBefore);
  });

  it('a hand edit of the Schedule is repaired', async () => {
    await admin.patchMerge(
      KINDS.Schedule,
      BACKUP_NAMESPACE,
      scheduleName(customer.id),
      { spec: { paused: true, schedule: '0 0 * * *' } },
      'someone',
    );
    expect(await target.run(customer, testContext())).toMatchObject({ changes: 1 });
    const schedule = await admin.get(KINDS.Schedule, BACKUP_NAMESPACE, scheduleName(customer.id));
    expect(schedule?.spec).toMatchObject({ paused: false });
    expect(schedule?.spec?.schedule).not.toBe('0 0 * * *');
  });

  it('a backup made by the Schedule gets a row; a restores row becomes a Restore into the same namespace', async () => {
    const scheduled = `${scheduleName(customer.id)}-20261127014100`;
    await admin.apply({
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: {
        name: scheduled,
        namespace: BACKUP_NAMESPACE,
        labels: {
          'app.kubernetes.io/managed-by': 'hostplane',
          'customer-id': String(customer.id),
          tenant: 'true',
          'velero.io/schedule-name': scheduleName(customer.id),
        },
      },
      spec: { includedNamespaces: [`cust-${customer.id}`] },
    });
    await playVelero(KINDS.Backup, scheduled, {
      phase: 'Completed',
      startTimestamp: '2026-11-27T01:41:00Z',
      completionTimestamp: '2026-11-27T01:42:00Z',
    });
    const ran = await target.run(customer, testContext());
    expect(ran.status, JSON.stringify(ran)).not.toBe('False');
    expect(await row('backups', scheduled), JSON.stringify(ran)).toMatchObject({
      phase: 'Completed',
      customer_id: customer.id,
    });

    const restore = `cust-${customer.id}-restore-1`;
    await db
      .insertInto('restores')
      .values({ customer_id: customer.id, name: restore, backup_name: scheduled })
      .execute();
    await target.run(customer, testContext());
    const live = await admin.get(KINDS.Restore, BACKUP_NAMESPACE, restore);
    expect(live?.spec).toMatchObject({
      backupName: scheduled,
      includedNamespaces: [`cust-${customer.id}`],
      existingResourcePolicy: 'update',
    });
    expect(live?.spec).not.toHaveProperty('namespaceMapping');
    await playVelero(KINDS.Restore, restore, {
      phase: 'Completed',
      completionTimestamp: '2026-11-27T09:00:00Z',
    });
    await target.run(customer, testContext());
    expect(await row('restores', restore)).toMatchObject({ phase: 'Completed' });
  });

  it('objects of another customer are never touched', async () => {
    const foreign = await admin.apply({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: {
        name: `foreign-${customer.id}`,
        namespace: BACKUP_NAMESPACE,
        labels: { 'customer-id': String(customer.id) },
      },
      spec: { schedule: '0 3 * * *', template: {} },
    });
    await target.run({ ...customer, deleting: true }, testContext());
    expect(await admin.get(KINDS.Schedule, BACKUP_NAMESPACE, foreign.metadata.name)).not.toBeNull();
    await admin.delete(KINDS.Schedule, BACKUP_NAMESPACE, foreign.metadata.name);
  });

  it('deleting the customer removes its Schedule and Restores and keeps its Backups', async () => {
    const outcome = await target.run({ ...customer, deleting: true }, testContext());
    expect(outcome).toMatchObject({ status: 'True', reason: 'Deleted' });
    expect(await admin.get(KINDS.Schedule, BACKUP_NAMESPACE, scheduleName(customer.id))).toBeNull();
    expect(await admin.list(KINDS.Restore, BACKUP_NAMESPACE, `customer-id=${customer.id}`)).toEqual([]);
    const kept = await admin.list(KINDS.Backup, BACKUP_NAMESPACE, `customer-id=${customer.id}`);
    expect(kept.map((b) => b.metadata.name).sort()).toEqual([
      `cust-${customer.id}-before-upgrade`,
      `${scheduleName(customer.id)}-20261127014100`,
    ]);
    expect(await target.run({ ...customer, deleting: true }, testContext())).toMatchObject({ changes: 0 });
  });
});
