// PUT/GET /customers/{id}/sftp (docs/sftp.md): keys validated and shown by fingerprint, the password
// hashed and never answered or audited, 422 naming the field and changing nothing on bad input.
import { loadCustomerSnapshot, readSftpCredentials } from '@hostplane/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  expectProblem,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

// Made with ssh-keygen; fingerprints as `ssh-keygen -lf` prints them.
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAq19M5TnwlUXuqVNL9rM84xvBw+w2drJnCWR4eFko2+ alice@laptop';
const ED25519_FP = 'SHA256:YYJGtdUJXSN/VIGL3N0h6Gn+W/pApvZRbfVBhXEEiwE';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7uOIR5P4mpO9kqQguM8OMvlHFV+OZuwzivwzzDQR8KZV5eAcLqDGACp6c2lvJbxpQHuot2PBzEnPwHBDf5GWTIQixFZoai5In9sULWAWLCIIR9pOZdh9/AO2yg3haENLQC4LZFPwyfK5JUvDKWTc6SdEyaBohCWOROEZPOHGqOw== small';
const PASSWORD = 'sftp-secret-password-1';

let api: TestApi;
let customer: TestCustomer;
let other: TestCustomer;

const put = (who: TestCustomer, payload: object, id = who.id) =>
  api.app.inject({ method: 'PUT', url: `/api/v1/customers/${id}/sftp`, headers: bearer(who.token), payload });
const get = (who: TestCustomer, id = who.id) =>
  api.app.inject({ method: 'GET', url: `/api/v1/customers/${id}/sftp`, headers: bearer(who.token) });
const fieldsOf = (problem: Record<string, unknown>) =>
  (problem.errors as { path: string }[]).map((e) => e.path);

beforeAll(async () => {
  api = await startTestApi();
  const plan = await createPlan(api);
  customer = await createCustomer(api, plan.id);
  other = await createCustomer(api, plan.id);
});

afterAll(async () => api?.close());

describe('SFTP credentials through the API', () => {
  it('starts disabled, with the login name c{id}', async () => {
    const res = await get(customer);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      username: `c${customer.id}`,
      enabled: false,
      passwordSet: false,
      publicKeys: [],
      root: '/sites',
      updatedAt: null,
    });
  });

  it('takes a password and a key: the key shown by fingerprint, the password nowhere (answer, audit)', async () => {
    const res = await put(customer, { password: PASSWORD, publicKeys: [ED25519] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      enabled: true,
      passwordSet: true,
      publicKeys: [
        { type: 'ssh-ed25519', fingerprint: ED25519_FP, comment: 'alice@laptop', bits: 256, key: ED25519 },
      ],
    });
    const stored = await readSftpCredentials(api.db, customer.id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    for (const text of [res.body, (await get(customer)).body]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(stored!.passwordHash!);
    }
    const audit = await api.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'sftp.update')
      .where('target', 'like', `customer/${customer.id}/%`)
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    expect(JSON.stringify(audit)).not.toContain('argon2');
    // The reconciler now wants the customer's SFTP pod.
    expect((await loadCustomerSnapshot(api.db, customer.id))?.sftp).toEqual({ enabled: true });
  });

  it('refuses bad input with 422 naming the field, and changes nothing', async () => {
    const before = (await get(customer)).json();
    for (const [payload, field] of [
      [{ publicKeys: [RSA_1024] }, 'publicKeys.0'],
      [{ publicKeys: [ED25519, 'ssh-ed25519 AAAA'] }, 'publicKeys.1'],
      [{ publicKeys: [ED25519, `${ED25519} again`] }, 'publicKeys.1'],
      [{ publicKeys: [`command="sh" ${ED25519}`] }, 'publicKeys.0'],
      [{ password: 'short' }, 'password'],
      [{ password: PASSWORD, shell: '/bin/sh' }, ''],
    ] as const) {
      const problem = expectProblem(await put(customer, payload), 422);
      expect(fieldsOf(problem).join(','), JSON.stringify(payload)).toContain(field);
    }
    expect((await get(customer)).json()).toEqual(before);
  });

  it('keeps what a PUT leaves out; null and [] remove; with neither, SFTP is off', async () => {
    const keysOnly = await put(customer, { publicKeys: [] });
    expect(keysOnly.json()).toMatchObject({ enabled: true, passwordSet: true, publicKeys: [] });
    const off = await put(customer, { password: null });
    expect(off.json()).toMatchObject({ enabled: false, passwordSet: false, publicKeys: [] });
    expect((await loadCustomerSnapshot(api.db, customer.id))?.sftp).toBeUndefined();
  });

  it("answers another customer 404 and leaves the owner's credentials alone", async () => {
    expectProblem(await get(other, customer.id), 404);
    expectProblem(await put(other, { password: PASSWORD }, customer.id), 404);
    expect((await get(customer)).json()).toMatchObject({ passwordSet: false });
  });
});
