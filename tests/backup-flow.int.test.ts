// The backup flow across rooms: the panel API writes the rows, the Backup target turns them into
// Velero objects in the local stack's apiserver and copies Velero's progress back, the API shows it.
// No Velero controller runs in the local stack (only its CRDs): the test writes `status` the way
// Velero's server would (merge patch, field manager velero-server; the CRDs have no status subresource).
import { backupJobLedger, loadCustomerSnapshot } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { createBackupTarget } from '@hostplane/provisioner-backup';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { PassContext, Target } from '@hostplane/reconcile';
import { loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
} from '../apps/api/src/testing/harness.ts';

const NS = 'backup-system';
const noop = () => undefined;
const ctx: PassContext = {
  signal: new AbortController().signal,
  log: { info: noop, warn: noop, error: noop, debug: noop },
};
let api: TestApi;
let admin: KubeHttpClient;
let target: Target;
let customerId: number;

const snapshot = async (): Promise<CustomerSnapshot> => {
  const s = await loadCustomerSnapshot(api.db, customerId);
  if (!s) throw new Error('customer vanished');
  return s;
};

beforeAll(async () => {
  api = await startTestApi();
  admin = KubeHttpClient.fromKubeconfigFile(loadStackEnv().KUBECONFIG);
  // Created only when missing: re-applying it under our field manager would drop bootstrap's labels.
  if (!(await admin.get(KINDS.Namespace, null, NS)))
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: {} } });
  const plan = await createPlan(api, { backupRetentionDays: 3 });
  customerId = (await createCustomer(api, plan.id)).id;
  target = createBackupTarget({ kube: admin, ledger: backupJobLedger(api.db) });
});

afterAll(async () => {
  if (admin && customerId) {
    for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore])
      for (const o of await admin.list(
        kind,
        NS,
        `customer-id=${customerId},app.kubernetes.io/managed-by=hostplane`,
      ))
        await admin.delete(kind, NS, o.metadata.name);
  }
  await admin?.close();
  await api?.close();
});

describe('backups through the API, Velero objects, phases back in the API', () => {
  it('POST /backups → Velero Backup with the plan retention → phase shown by GET /backups', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${customerId}/backups`,
      headers: bearer(api.adminToken),
      payload: { name: 'before-upgrade' },
    });
    expect(created.statusCode).toBe(201);
    const name = created.json().name as string;
    expect(name).toBe(`cust-${customerId}-before-upgrade`);
    expect(created.json().phase).toBe('New');

    await target.run(await snapshot(), ctx);
    const backup = await admin.get(KINDS.Backup, NS, name);
    expect(backup?.spec).toMatchObject({ includedNamespaces: [`cust-${customerId}`], ttl: '72h0m0s' });
    expect(await admin.get(KINDS.Schedule, NS, `cust-${customerId}-daily`)).not.toBeNull();

    await admin.patchMerge(
      KINDS.Backup,
      NS,
      name,
      {
        status: {
          phase: 'Completed',
          startTimestamp: '2026-11-26T08:00:00Z',
          completionTimestamp: '2026-11-26T08:01:00Z',
        },
      },
      'velero-server',
    );
    await target.run(await snapshot(), ctx);
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/v1/customers/${customerId}/backups`,
      headers: bearer(api.adminToken),
    });
    expect(listed.json().items).toEqual([
      expect.objectContaining({
        name,
        phase: 'Completed',
        startedAt: '2026-11-26T08:00:00.000Z',
        completedAt: '2026-11-26T08:01:00.000Z',
      }),
    ]);
  });

  it('POST /restores → Velero Restore of that backup into the same namespace', async () => {
    const backup = `cust-${customerId}-before-upgrade`;
    const created = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${customerId}/restores`,
      headers: bearer(api.adminToken),
      payload: { backup },
    });
    expect(created.statusCode).toBe(201);
    await target.run(await snapshot(), ctx);
    const restore = await admin.get(KINDS.Restore, NS, created.json().name);
    expect(restore?.spec).toMatchObject({
      backupName: backup,
      includedNamespaces: [`cust-${customerId}`],
      existingResourcePolicy: 'update',
    });
  });

  it('a restore re-creates a site deleted since the backup (from what the backup holds); sites are checked', async () => {
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      api.app.inject({
        method,
        url: `/api/v1/customers/${customerId}${url}`,
        headers: bearer(api.adminToken),
        ...(payload ? { payload } : {}),
      });
    expect((await call('POST', '/sites', { name: 'web', template: 'static' })).statusCode).toBe(201);
    const asked = await call('POST', '/backups', { name: 'with-web' });
    expect(asked.statusCode).toBe(201);
    const name = asked.json().name as string;
    await target.run(await snapshot(), ctx);
    await admin.patchMerge(
      KINDS.Backup,
      NS,
      name,
      { status: { phase: 'InProgress', startTimestamp: '2026-11-26T09:00:00Z' } },
      'velero-server',
    );
    await target.run(await snapshot(), ctx);
    // Recorded when Velero picked it up, and kept: a site made afterwards is not in it.
    expect((await call('POST', '/sites', { name: 'later', template: 'static' })).statusCode).toBe(201);
    await admin.patchMerge(
      KINDS.Backup,
      NS,
      name,
      { status: { phase: 'Completed', completionTimestamp: '2026-11-26T09:01:00Z' } },
      'velero-server',
    );
    await target.run(await snapshot(), ctx);
    expect((await call('GET', `/backups/${name}`)).json().contents).toEqual({
      sites: ['web'],
      mailboxes: [],
      zones: [],
    });

    expect((await call('DELETE', '/sites/web')).statusCode).toBe(204);
    const unknown = await call('POST', '/restores', { backup: name, sites: ['later'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ path: 'sites.0' })]);
    const badName = await call('POST', '/restores', { backup: name, sites: ['Web Site'] });
    expect(badName.statusCode).toBe(422);
    expect((await call('GET', '/sites/web')).statusCode).toBe(404);

    const whole = await call('POST', '/restores', { backup: name });
    expect(whole.statusCode, whole.body).toBe(201);
    expect(whole.json().sites).toBeNull();
    expect((await call('GET', '/sites/web')).json()).toMatchObject({ name: 'web', template: 'static' });
    expect((await call('GET', '/sites/later')).statusCode).toBe(200);

    const one = await call('POST', '/restores', { backup: name, sites: ['web'] });
    expect(one.statusCode, one.body).toBe(201);
    expect(one.json().sites).toEqual(['web']);
    await target.run(await snapshot(), ctx);
    const restore = await admin.get(KINDS.Restore, NS, one.json().name);
    expect(restore?.spec).toMatchObject({
      backupName: name,
      labelSelector: {
        matchLabels: { tenant: 'true' },
        matchExpressions: [{ key: 'hostplane.io/site', operator: 'In', values: ['web'] }],
      },
    });
  });
});
