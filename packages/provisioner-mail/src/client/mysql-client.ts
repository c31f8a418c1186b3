// The only importer of mysql2 in the mail target (schema/migrate.ts runs the DDL): observes one
// customer's rows and applies a plan in one transaction. Answers are parsed with zod.

import { type MailAliasRow, type MailUserRow, sortRows } from '@hostplane/domain';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import { mailDbError } from '../errors.ts';
import type { MailPlan, ObservedMail } from '../plan.ts';
import type { MailApplyReport, MailDatabase } from '../port.ts';

const domainRowSchema = z.object({ id: z.number(), name: z.string(), customer_id: z.number().nullable() });
const userRowSchema = z.object({
  mailbox_id: z.number().nullable(),
  email: z.string(),
  domain: z.string(),
  password: z.string(),
  quota_bytes: z.union([z.number(), z.string()]).transform(Number),
  maildir: z.string(),
  enabled: z.number().transform((v) => v === 1),
  send_enabled: z.number().transform((v) => v === 1),
  send_limit_per_hour: z.number(),
});
const aliasRowSchema = z.object({ domain: z.string(), source: z.string(), destination: z.string() });
const sieveRowSchema = z.object({
  email: z.string(),
  domain: z.string(),
  name: z.string(),
  script_id: z.string(),
});

export interface MysqlMailDatabaseOptions {
  /** mysql://user:pass@host:port/db with rights on the mail tables. */
  url: string;
  connectionLimit?: number;
  connectTimeoutMs?: number;
}

/** Counts every statement sent; tests use `writes` to prove a converged pass writes nothing. */
export interface MailDbStats {
  reads: number;
  writes: number;
}

export class MysqlMailDatabase implements MailDatabase {
  readonly stats: MailDbStats = { reads: 0, writes: 0 };
  private readonly pool: mysql.Pool;

  constructor(options: MysqlMailDatabaseOptions) {
    this.pool = mysql.createPool({
      uri: options.url,
      connectionLimit: options.connectionLimit ?? 4,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // BIGINT quota as number: quotas stay far below 2^53.
      supportBigNumbers: true,
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async read<T>(sql: string, params: unknown[], schema: z.ZodType<T>): Promise<T[]> {
    this.stats.reads += 1;
    try {
      const [rows] = await this.pool.query<mysql.RowDataPacket[]>(sql, params);
      return rows.map((row) => schema.parse({ ...row }));
    } catch (err) {
      throw mailDbError('read', err);
    }
  }

  async observe(customerId: number, wantedDomains: readonly string[]): Promise<ObservedMail> {
    const names = wantedDomains.length > 0 ? wantedDomains : [''];
    const domains = await this.read(
      'SELECT id, name, customer_id FROM virtual_domains WHERE customer_id = ? OR name IN (?)',
      [customerId, names],
      domainRowSchema,
    );
    const users = await this.read(
      `SELECT u.mailbox_id, u.email, d.name AS domain, u.password, u.quota_bytes, u.maildir, u.enabled, u.send_enabled, u.send_limit_per_hour
       FROM virtual_users u JOIN virtual_domains d ON d.id = u.domain_id WHERE d.customer_id = ?`,
      [customerId],
      userRowSchema,
    );
    const aliases = await this.read(
      `SELECT d.name AS domain, a.source, a.destination
       FROM virtual_aliases a JOIN virtual_domains d ON d.id = a.domain_id WHERE d.customer_id = ?`,
      [customerId],
      aliasRowSchema,
    );
    const sieve = await this.read(
      `SELECT s.username AS email, d.name AS domain, s.name, s.script_id FROM virtual_sieve_scripts s
       JOIN virtual_users u ON u.id = s.user_id JOIN virtual_domains d ON d.id = u.domain_id WHERE d.customer_id = ?`,
      [customerId],
      sieveRowSchema,
    );
    const lower = (s: string) => s.toLowerCase();
    const owned = sortRows({
      domains: domains.filter((d) => d.customer_id === customerId).map((d) => lower(d.name)),
      users: users.map(
        (u): MailUserRow => ({
          mailboxId: u.mailbox_id,
          email: lower(u.email),
          domain: lower(u.domain),
          password: u.password,
          quotaBytes: u.quota_bytes,
          maildir: u.maildir,
          enabled: u.enabled,
          sendEnabled: u.send_enabled,
          sendLimitPerHour: u.send_limit_per_hour,
        }),
      ),
      aliases: aliases.map(
        (a): MailAliasRow => ({
          domain: lower(a.domain),
          source: lower(a.source),
          destination: lower(a.destination),
        }),
      ),
      sieveScripts: sieve.map((s) => ({
        email: lower(s.email),
        domain: lower(s.domain),
        name: s.name,
        scriptId: s.script_id,
        script: '',
      })),
    });
    const foreignDomains = domains.filter((d) => d.customer_id !== customerId).map((d) => lower(d.name));
    return { owned, foreignDomains: foreignDomains.sort() };
  }

  async apply(customerId: number, plan: MailPlan): Promise<MailApplyReport> {
    const removedMaildirs = plan.usersToRemove.map((u) => u.maildir).sort();
    const statements = planStatements(customerId, plan);
    if (statements.length === 0) return { statements: 0, removedMaildirs };
    let connection: mysql.PoolConnection;
    try {
      connection = await this.pool.getConnection();
    } catch (err) {
      throw mailDbError('connect', err);
    }
    try {
      await connection.beginTransaction();
      for (const [sql, params] of statements) {
        this.stats.writes += 1;
        await connection.query(sql, params);
      }
      await connection.commit();
      return { statements: statements.length, removedMaildirs };
    } catch (err) {
      await connection.rollback().catch(() => undefined); // the original error is what matters
      throw mailDbError('apply', err);
    } finally {
      connection.release();
    }
  }
}

type Statement = [string, unknown[]];

// Domain ids are looked up inside each statement (INSERT … SELECT), so one transaction needs no reads.
const DOMAIN_ID = 'SELECT id FROM virtual_domains WHERE name = ? AND customer_id = ?';

/** Deletes first (aliases, users, domains), then inserts and updates: a re-added row never collides. */
export function planStatements(customerId: number, plan: MailPlan): Statement[] {
  const out: Statement[] = [];
  for (const s of plan.sieveToRemove) {
    out.push([
      `DELETE s FROM virtual_sieve_scripts s JOIN virtual_users u ON u.id = s.user_id
       JOIN virtual_domains d ON d.id = u.domain_id WHERE s.username = ? AND s.name = ? AND d.customer_id = ?`,
      [s.email, s.name, customerId],
    ]);
  }
  for (const a of plan.aliasesToRemove) {
    out.push([
      `DELETE FROM virtual_aliases WHERE source = ? AND destination = ? AND domain_id = (${DOMAIN_ID})`,
      [a.source, a.destination, a.domain, customerId],
    ]);
  }
  for (const u of plan.usersToRemove) {
    out.push([
      `DELETE FROM virtual_users WHERE email = ? AND domain_id = (${DOMAIN_ID})`,
      [u.email, u.domain, customerId],
    ]);
  }
  for (const name of plan.domainsToRemove) {
    out.push(['DELETE FROM virtual_domains WHERE name = ? AND customer_id = ?', [name, customerId]]);
  }
  for (const name of plan.domainsToAdd) {
    out.push(['INSERT INTO virtual_domains (name, customer_id) VALUES (?, ?)', [name, customerId]]);
  }
  for (const u of plan.usersToAdd) {
    out.push([
      `INSERT INTO virtual_users (domain_id, mailbox_id, email, password, quota_bytes, maildir, enabled, send_enabled, send_limit_per_hour)
       SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM virtual_domains WHERE name = ? AND customer_id = ?`,
      [
        u.mailboxId,
        u.email,
        u.password,
        u.quotaBytes,
        u.maildir,
        u.enabled ? 1 : 0,
        u.sendEnabled ? 1 : 0,
        u.sendLimitPerHour,
        u.domain,
        customerId,
      ],
    ]);
  }
  for (const u of plan.usersToUpdate) {
    out.push([
      `UPDATE virtual_users SET mailbox_id = ?, password = ?, quota_bytes = ?, maildir = ?, enabled = ?, send_enabled = ?, send_limit_per_hour = ?
       WHERE email = ? AND domain_id = (${DOMAIN_ID})`,
      [
        u.mailboxId,
        u.password,
        u.quotaBytes,
        u.maildir,
        u.enabled ? 1 : 0,
        u.sendEnabled ? 1 : 0,
        u.sendLimitPerHour,
        u.email,
        u.domain,
        customerId,
      ],
    ]);
  }
  for (const a of plan.aliasesToAdd) {
    out.push([
      'INSERT INTO virtual_aliases (domain_id, source, destination) SELECT id, ?, ? FROM virtual_domains WHERE name = ? AND customer_id = ?',
      [a.source, a.destination, a.domain, customerId],
    ]);
  }
  // After the users: a script row points at its user's id.
  for (const s of plan.sieveToWrite) {
    out.push([
      `INSERT INTO virtual_sieve_scripts (user_id, username, name, script_id, script)
       SELECT u.id, u.email, ?, ?, ? FROM virtual_users u JOIN virtual_domains d ON d.id = u.domain_id
       WHERE u.email = ? AND d.customer_id = ?
       ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), script_id = VALUES(script_id), script = VALUES(script)`,
      [s.name, s.scriptId, s.script, s.email, customerId],
    ]);
  }
  return out;
}
