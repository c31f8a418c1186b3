import { loadCustomerSnapshot } from '@hostplane/db';
import { openStoredSecret } from '@hostplane/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createCustomer, createPlan, startTestApi, type TestApi } from './testing/harness.ts';

// Issue 9: DKIM private keys are sealed at rest like TOTP seeds; only the reconciler (with the key)
// opens them.

const secretKey = 'dkim-at-rest-secret-key-0123';
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ secretKey });
});
afterAll(async () => api?.close());

describe('DKIM private keys at rest', () => {
  it('stores a new domain key sealed, and the snapshot opens it with the key only', async () => {
    const c = await createCustomer(api, (await createPlan(api, { domains: 5 })).id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/domains`,
      headers: bearer(c.token),
      payload: { name: 'sealed-dkim.test', mail: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    const row = await api.db
      .selectFrom('domains')
      .select(['dkim_private_key_pem', 'dkim_public_key'])
      .where('name', '=', 'sealed-dkim.test')
      .executeTakeFirstOrThrow();
    expect(row.dkim_public_key).toBeTruthy();
    expect(row.dkim_private_key_pem).toMatch(/^v1:/);
    expect(row.dkim_private_key_pem).not.toContain('PRIVATE KEY');

    // The snapshot carries it sealed; the Mail target opens it with the key (and nothing else can).
    const sealed = (await loadCustomerSnapshot(api.db, c.id))?.domains[0]?.dkim?.privateKeyPem ?? '';
    expect(sealed).toBe(row.dkim_private_key_pem);
    expect(openStoredSecret(sealed, secretKey)).toContain('BEGIN PRIVATE KEY');
    expect(() => openStoredSecret(sealed, 'another-key-of-enough-length')).toThrow();
  });
});
