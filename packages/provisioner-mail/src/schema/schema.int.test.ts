import { randomBytes } from 'node:crypto';
import { loadStackEnv } from '@hostplane/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMailDb } from './migrate.ts';

// Against the local stack's mail database (the stack has migrated it already on `up`).

const env = loadStackEnv();
const domain = `s${randomBytes(4).toString('hex')}.hostplane.test`;
let db: mysql.Connection;
let domainId: number;

async function insertDomain(name: string): Promise<number> {
  const [result] = await db.execute<mysql.ResultSetHeader>('INSERT INTO virtual_domains (name) VALUES (?)', [
    name,
  ]);
  return result.insertId;
}

async function insertUser(id: number, email: string): Promise<void> {
  await db.execute('INSERT INTO virtual_users (domain_id, email, password, maildir) VALUES (?, ?, ?, ?)', [
    id,
    email,
    '{BLF-CRYPT}$2y$05$x',
    `${domain}/x/`,
  ]);
}

beforeAll(async () => {
  db = await mysql.createConnection(env.MAIL_DATABASE_URL);
  domainId = await insertDomain(domain);
});

afterAll(async () => {
  await db?.execute('DELETE FROM virtual_domains WHERE name = ?', [domain]);
  await db?.end();
});

describe('migrateMailDb', () => {
  it('applies nothing on a migrated database, also when two runs race', async () => {
    const results = await Promise.all([
      migrateMailDb(env.MAIL_DATABASE_URL),
      migrateMailDb(env.MAIL_DATABASE_URL),
    ]);
    expect(results.map((r) => r.applied)).toEqual([[], []]);
    const [rows] = await db.query<mysql.RowDataPacket[]>('SELECT id FROM schema_migrations ORDER BY id');
    expect(rows.map((row) => row.id)).toContain('0001_virtual_tables');
  });

  it('records a new migration once and runs it once', async () => {
    const id = `9999_test_${randomBytes(4).toString('hex')}`;
    const table = `test_${randomBytes(4).toString('hex')}`;
    const migrations = [{ id, statements: [`CREATE TABLE ${table} (n INT)`] }];
    try {
      expect((await migrateMailDb(env.MAIL_DATABASE_URL, { migrations })).applied).toEqual([id]);
      expect((await migrateMailDb(env.MAIL_DATABASE_URL, { migrations })).applied).toEqual([]);
    } finally {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await db.execute('DELETE FROM schema_migrations WHERE id = ?', [id]);
    }
  });

  it('names the account when a GRANT to a read-only user fails', async () => {
    const missing = `nobody_${randomBytes(3).toString('hex')}`;
    await expect(migrateMailDb(env.MAIL_DATABASE_URL, { readonlyUsers: [missing] })).rejects.toThrow(
      new RegExp(`GRANT SELECT on virtual_domains to ${missing}@% failed`),
    );
  });
});

describe('mail schema constraints', () => {
  it.each([
    [
      'a second domain of the same name, whatever its case',
      () => insertDomain(domain.toUpperCase()),
      'ER_DUP_ENTRY',
    ],
    ['a user of an unknown domain', () => insertUser(2 ** 31, `u@${domain}`), 'ER_NO_REFERENCED_ROW_2'],
    [
      'the same alias pair twice',
      async () => {
        const sql = 'INSERT INTO virtual_aliases (domain_id, source, destination) VALUES (?, ?, ?)';
        await db.execute(sql, [domainId, `info@${domain}`, 'a@example.org']);
        await db.execute(sql, [domainId, `info@${domain}`, 'a@example.org']);
      },
      'ER_DUP_ENTRY',
    ],
  ])('refuses %s', async (_case, write, code) => {
    await expect(write()).rejects.toMatchObject({ code });
  });

  it('removes users and aliases (catch-all included) with their domain', async () => {
    const name = `c${randomBytes(4).toString('hex')}.hostplane.test`;
    const id = await insertDomain(name);
    await insertUser(id, `bob@${name}`);
    await db.execute('INSERT INTO virtual_aliases (domain_id, source, destination) VALUES (?, ?, ?)', [
      id,
      `@${name}`,
      `bob@${name}`,
    ]);
    await db.execute('DELETE FROM virtual_domains WHERE id = ?', [id]);
    const [users] = await db.query<mysql.RowDataPacket[]>(
      'SELECT id FROM virtual_users WHERE domain_id = ?',
      [id],
    );
    const [aliases] = await db.query<mysql.RowDataPacket[]>(
      'SELECT id FROM virtual_aliases WHERE domain_id = ?',
      [id],
    );
    expect([users.length, aliases.length]).toEqual([0, 0]);
  });
});
