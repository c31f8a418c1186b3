// Issue 9: turning a site's database off keeps its data (the claim stays) unless deleteData was
// asked for (the password goes with it); against the local apiserver, as the panel service account.
import { tenantNamespace } from '@hostplane/domain';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from './kinds.ts';
import { converge, customer, customerId, type Harness, site, startHarness } from './test-support/harness.ts';

let h: Harness;
const id = customerId();
const ns = tenantNamespace(id);
const withDatabase = customer(id, {
  sites: [site('shop', { template: 'php', database: true, databasePassword: 'pw-shop-1' })],
});
const claim = 'data-shop-db-0';

async function liveClaim() {
  const pvc = await h.admin.get(KINDS.PersistentVolumeClaim, ns, claim);
  return pvc && !pvc.metadata.deletionTimestamp ? pvc : null;
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  if (!h) return;
  await converge(h, { ...withDatabase, deleting: true }, 60);
  await h.close();
});

describe('a site database turned off', () => {
  it('keeps its claim while the data is kept, and prunes it with deleteData', async () => {
    expect((await converge(h, withDatabase)).status).toBe('True');
    expect(await liveClaim()).not.toBeNull();
    const uid = (await liveClaim())?.metadata.uid;

    // database: false, data kept (the row keeps its password): the StatefulSet goes, the claim stays.
    const off = customer(id, {
      sites: [site('shop', { template: 'php', database: false, databasePassword: 'pw-shop-1' })],
    });
    expect((await converge(h, off)).status).toBe('True');
    await waitFor(
      'the StatefulSet to be pruned',
      async () => !(await h.admin.get(KINDS.StatefulSet, ns, 'shop-db')),
      {
        timeoutMs: 20_000,
        intervalMs: 250,
      },
    );
    // The garbage collector had its chance: the claim is still there, the same one.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await liveClaim())?.metadata.uid).toBe(uid);
    expect((await converge(h, off)).status).toBe('True');
    expect((await liveClaim())?.metadata.uid).toBe(uid);

    // deleteData: the password is gone from the row, and the claim is pruned.
    const deleted = customer(id, { sites: [site('shop', { template: 'php', database: false })] });
    expect((await converge(h, deleted)).status).toBe('True');
    expect(await liveClaim()).toBeNull();
  });
});
