import { createHash } from 'node:crypto';
import { createPanelScratchDb, insertCustomer, insertPlan, type PanelScratchDb } from '@hostplane/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTokenUser, insertApiToken, insertUser } from './auth.ts';
import { findCustomerWithConditions } from './customers.ts';
import type { PanelDatabase } from './schema.ts';

// Issue 10: the token lookup and the customer read are prepared statements (prepared.ts): compiled
// once, sent by name, answering exactly what the Kysely query answers — in a transaction too.

// One connection: the session whose prepared statements the test reads is the one that ran them.
let scratch: PanelScratchDb;
let db: Kysely<PanelDatabase>;
const hash = (t: string) => createHash('sha256').update(t).digest('hex');
let customerId = 0;
let userId = 0;

beforeAll(async () => {
  scratch = await createPanelScratchDb('test', { max: 1 });
  db = scratch.db;
  customerId = await insertCustomer(db, await insertPlan(db), 'c');
  userId =
    (await insertUser(db, { email: 'u@example.org', passwordHash: 'x', role: 'customer', customerId })) ?? 0;
});

afterAll(() => scratch.drop());

describe('prepared reads', () => {
  it('answer as the query does and run as named statements of the session', async () => {
    const token = await insertApiToken(db, {
      userId,
      name: 'a',
      scope: 'read',
      tokenHash: hash('one'),
      expiresAt: null,
    });
    expect(await findTokenUser(db, hash('one'))).toEqual({
      user_id: userId,
      email: 'u@example.org',
      role: 'customer',
      customer_id: customerId,
      totp_enabled_at: null,
      token_id: token.id,
      scope: 'read',
      last_used_at: null,
      expires_at: null,
    });
    expect(await findTokenUser(db, hash('unknown'))).toBeUndefined();
    const found = await findCustomerWithConditions(db, customerId);
    expect(found?.customer).toMatchObject({ id: customerId, name: 'c', generation: 1 });
    expect(found?.customer.created_at).toBeInstanceOf(Date);
    expect(found?.conditions).toEqual([]);
    expect(await findCustomerWithConditions(db, customerId + 1000)).toBeUndefined();
    const { rows } = await sql<{
      name: string;
    }>`select name from pg_prepared_statements order by name`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(['hostplane_customer_with_conditions', 'hostplane_token_user']);
  });

  it('see the transaction they run in, and every change at once outside it', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('customers').set({ name: 'renamed' }).where('id', '=', customerId).execute();
      expect((await findCustomerWithConditions(trx, customerId))?.customer.name).toBe('renamed');
    });
    await db.updateTable('customers').set({ deleting: true }).where('id', '=', customerId).execute();
    // A customer being deleted: its users' tokens stop answering with the next lookup.
    expect(await findTokenUser(db, hash('one'))).toBeUndefined();
  });
});
