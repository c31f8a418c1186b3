import { openStoredSecret, sealSecret } from '@hostplane/domain';
import { createPanelScratchDb, insertCustomer, insertPlan, type PanelScratchDb } from '@hostplane/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealStoredDkimKeys } from './reseal.ts';
import type { PanelDatabase } from './schema.ts';
import { loadCustomerSnapshot } from './snapshot.ts';

// DKIM private keys at rest (issue 9): sealed in the panel's PostgreSQL, opened only by the reconciler.

let scratch: PanelScratchDb;
let db: Kysely<PanelDatabase>;
const secretKey = 'a-secret-key-of-enough-length';
const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
let customerId: number;

const stored = async (domain: string) =>
  (
    await db
      .selectFrom('domains')
      .select('dkim_private_key_pem')
      .where('name', '=', domain)
      .executeTakeFirstOrThrow()
  ).dkim_private_key_pem;

beforeAll(async () => {
  scratch = await createPanelScratchDb('test', { max: 3 });
  db = scratch.db;
  customerId = await insertCustomer(db, await insertPlan(db));
  const dkim = { dns: true, mail: true, dnssec: false, dkim_selector: 'hp202611', dkim_public_key: 'MIIB' };
  await db
    .insertInto('domains')
    .values([
      // A row written before keys were sealed, and one written sealed.
      { customer_id: customerId, name: 'old.example', ...dkim, dkim_private_key_pem: pem },
      {
        customer_id: customerId,
        name: 'new.example',
        ...dkim,
        dkim_private_key_pem: sealSecret(pem, secretKey),
      },
    ])
    .execute();
});

afterAll(() => scratch.drop());

describe('DKIM private keys at rest', () => {
  it('seals keys stored in clear, once', async () => {
    expect(await sealStoredDkimKeys(db, secretKey)).toBe(1);
    for (const domain of ['old.example', 'new.example']) {
      const value = await stored(domain);
      expect(value, domain).toMatch(/^v1:/);
      expect(value, domain).not.toContain('PRIVATE KEY');
    }
    expect(await sealStoredDkimKeys(db, secretKey)).toBe(0);
  });

  it('leaves them sealed in the snapshot; the key opens them', async () => {
    const snapshot = await loadCustomerSnapshot(db, customerId);
    const keys = snapshot?.domains.map((d) => d.dkim?.privateKeyPem ?? '') ?? [];
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(/^v1:/);
      expect(openStoredSecret(key, secretKey)).toBe(pem);
    }
  });
});
