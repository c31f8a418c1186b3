// Customer databases in customer backups (issue 15): a backup records the customer's own databases
// (issue 16's rows, users' passwords sealed) when Velero picks it up; the customer deletes a database;
// a restore of the backup (whole, or of a site the database serves) re-creates its row with the same
// sealed password, so the credentials the sites get match the users in the restored MariaDB volume.
// Real PostgreSQL and apiserver; Velero's status is written the way its server would (no Velero
// controller runs on the kwok profile): the rows are what is proven here, Velero's data is proven by
// tests/backup-restore.node.test.ts.
import { backupJobLedger, loadCustomerSnapshot } from '@hostplane/db';
import { type CustomerSnapshot, openSnapshotSecrets } from '@hostplane/domain';
import { createBackupTarget } from '@hostplane/provisioner-backup';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from '../apps/api/src/testing/harness.ts';
import { env, passContext } from '../packages/provisioner-mail/src/test-support/stack.ts';

const NS = 'backup-system';
const secretKey = 'backup-databases-test-key-0123456789';
let api: TestApi;
let c: TestCustomer;
let admin: KubeHttpClient;
let target: ReturnType<typeof createBackupTarget>;
const call = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
  api.app.inject({
    method,
    url: `/api/v1/customers/${c.id}/${path}`,
    headers: bearer(api.adminToken),
    ...(payload ? { payload } : {}),
  });

async function snapshot(): Promise<CustomerSnapshot> {
  const s = await loadCustomerSnapshot(api.db, c.id);
  if (!s) throw new Error('customer vanished');
  return s;
}

/** The owner's password as the sites get it (the snapshot opened as the Kubernetes target opens it). */
async function sitePassword(database: string): Promise<string | undefined> {
  const opened = openSnapshotSecrets(await snapshot(), secretKey);
  return opened.databases?.find((d) => d.name === database)?.users.find((u) => u.owner)?.password;
}

/** A backup the Backup target turned into a Velero Backup that Velero has picked up: contents recorded. */
async function takeBackup(name: string): Promise<string> {
  const asked = await call('POST', 'backups', { name });
  expect(asked.statusCode, asked.body).toBe(201);
  const backup = asked.json().name as string;
  await target.run(await snapshot(), passContext());
  await admin.patchMerge(
    KINDS.Backup,
    NS,
    backup,
    { status: { phase: 'InProgress', startTimestamp: '2026-11-28T01:00:00Z' } },
    'velero-server',
  );
  expect(await target.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
  return backup;
}

beforeAll(async () => {
  api = await startTestApi({ secretKey });
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  if (!(await admin.get(KINDS.Namespace, null, NS)))
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: {} } });
  target = createBackupTarget({ kube: admin, ledger: backupJobLedger(api.db) });
  c = await createCustomer(api, (await createPlan(api, { sites: 3, databases: 3 })).id);
  for (const name of ['web', 'blog']) {
    const site = await call('POST', 'sites', { name, template: 'static', domains: [] });
    expect(site.statusCode, site.body).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  if (admin && c)
    for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore])
      for (const o of await admin.list(
        kind,
        NS,
        `customer-id=${c.id},app.kubernetes.io/managed-by=hostplane`,
      ))
        await admin.delete(kind, NS, o.metadata.name);
  await admin?.close();
  await api?.close();
});

describe('customer databases in customer backups', () => {
  it('a database deleted after the backup comes back with its password on a whole restore', async () => {
    const created = await call('POST', 'databases', { name: 'shop', sites: ['web'] });
    expect(created.statusCode, created.body).toBe(201);
    const password = created.json().credentials.password as string;
    expect(await sitePassword('shop')).toBe(password);
    const backup = await takeBackup('with-shop');

    expect((await call('DELETE', 'databases/shop')).statusCode).toBe(204);
    expect((await call('GET', 'databases/shop')).statusCode).toBe(404);

    const restore = await call('POST', 'restores', { backup });
    expect(restore.statusCode, restore.body).toBe(201);
    expect((await call('GET', 'databases/shop')).json()).toMatchObject({
      name: 'shop',
      sites: ['web'],
      users: [{ name: 'shop', owner: true }],
    });
    // The same password as before the deletion: the one the restored MariaDB volume holds.
    expect(await sitePassword('shop')).toBe(password);
    // A second restore of the same backup re-creates nothing (the row exists).
    const again = await call('POST', 'restores', { backup });
    expect(again.statusCode, again.body).toBe(201);
    expect((await call('GET', 'databases')).json().items.map((d: { name: string }) => d.name)).toEqual([
      'shop',
    ]);
  });

  it('a restore of one site brings back only the databases that site uses', async () => {
    for (const [name, sites] of [
      ['orders', ['blog']],
      ['notes', []],
    ] as const) {
      const created = await call('POST', 'databases', { name, sites });
      expect(created.statusCode, created.body).toBe(201);
    }
    const password = await sitePassword('orders');
    const backup = await takeBackup('with-orders');
    for (const name of ['orders', 'notes'])
      expect((await call('DELETE', `databases/${name}`)).statusCode).toBe(204);

    const restore = await call('POST', 'restores', { backup, sites: ['blog'] });
    expect(restore.statusCode, restore.body).toBe(201);
    expect(
      (await call('GET', 'databases'))
        .json()
        .items.map((d: { name: string }) => d.name)
        .sort(),
    ).toEqual(['orders', 'shop']);
    expect(await sitePassword('orders')).toBe(password);
  });
});
