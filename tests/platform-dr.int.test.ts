// Platform disaster recovery (issue 15): `hostplane backup-platform` dumps the panel's PostgreSQL, the
// mail DB and PowerDNS's DB to the stack's real S3 store; the panel's database is wiped (and the mail
// and DNS rows lost); `hostplane restore-platform` brings them back: the panel lists the same
// customers, the mailbox and the zone are back, and a resync of every target writes nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadCustomerSnapshot } from '@hostplane/db';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import type { PassContext } from '@hostplane/reconcile';
import { repoRoot, waitFor } from '@hostplane/testing';
import type { RunningWorker } from '@hostplane/worker';
import mysql from 'mysql2/promise';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeEnv } from '../apps/cli/src/commands/serve.ts';
import { assembleTargets } from '../apps/cli/src/commands/serve-assemble.ts';
import {
  createCustomer,
  createPlan,
  markVerified,
  newPassword,
  type Panel,
  runTag,
  serveVariables,
  stack,
  startPanel,
} from './support/panel.ts';

const run = promisify(execFile);
const FIRST_ID = 750_000 + (process.pid % 20_000) * 10;
const prefix = `dr-${runTag}`;
const domain = `${runTag}-dr.test`;
const mailbox = `info@${domain}`;
const noop = () => undefined;
const ctx: PassContext = {
  signal: new AbortController().signal,
  log: { info: noop, warn: noop, error: noop, debug: noop },
};

let panel: Panel;
let worker: RunningWorker | undefined;
const customerIds: number[] = [];
const store = new S3ObjectStore(objectStoreSettingsFromEnv(stack));

/** The CLI as an operator runs it, with the variables of DESIGN.md §9 for this panel's database. */
async function hostplane(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['apps/cli/bin/hostplane.js', ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: panel.databaseUrl,
      MAIL_DATABASE_URL: stack.MAIL_DATABASE_URL,
      PDNS_DATABASE_URL: stack.PDNS_DATABASE_URL,
      S3_ENDPOINT: stack.S3_ENDPOINT,
      S3_ACCESS_KEY: stack.S3_ACCESS_KEY,
      S3_SECRET_KEY: stack.S3_SECRET_KEY,
      S3_BUCKET: stack.S3_BUCKET,
      LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
    },
  });
}

async function converged(id: number): Promise<void> {
  await waitFor(
    `customer ${id} converged`,
    async () => {
      const c = (await panel.http('GET', `/customers/${id}`)).body;
      return ['Kubernetes', 'DNS', 'Mail', 'Backup'].every((t) =>
        c.status.conditions.some(
          (x: { type: string; status: string; observedGeneration: number }) =>
            x.type === t && x.status === 'True' && x.observedGeneration === c.generation,
        ),
      );
    },
    { timeoutMs: 300_000 },
  );
}

const customersAsListed = async () =>
  (
    (await panel.http('GET', '/customers')).body.items as {
      id: number;
      name: string;
      email: string;
      namespace: string;
      planId: number;
    }[]
  )
    .map(({ id, name, email, namespace, planId }) => ({ id, name, email, namespace, planId }))
    .sort((a, b) => a.id - b.id);

const pdnsZone = (zone: string) =>
  fetch(`${stack.PDNS_API_URL}/api/v1/servers/localhost/zones/${zone}.`, {
    headers: { 'X-API-Key': stack.PDNS_API_KEY },
  });

beforeAll(async () => {
  panel = await startPanel(FIRST_ID);
  worker = await panel.startWorker();
});

afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  for (const id of customerIds) await panel?.http('DELETE', `/customers/${id}`).catch(() => undefined);
  const keys = (await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key);
  await store.delete(keys).catch(() => undefined);
  await panel?.close();
});

describe('hostplane backup-platform / restore-platform', () => {
  it('backs up, survives a wiped panel database, restores, and a resync writes nothing', {
    timeout: 600_000,
  }, async () => {
    const plan = await createPlan(panel, `dr-${Date.now().toString(36)}`, {
      cpu: '1',
      memory: '1Gi',
      storage: '5Gi',
      sites: 1,
      domains: 1,
      databases: 0,
    });
    for (const name of ['Alpha Hosting', 'Beta Shop']) {
      const email = `${name.split(' ')[0]?.toLowerCase()}-${Date.now().toString(36)}@${runTag}.example.test`;
      customerIds.push(await createCustomer(panel, plan.id, name, email));
    }
    const [first] = customerIds;
    expect(
      (await panel.http('POST', `/customers/${first}/domains`, { name: domain, dns: true, mail: true }))
        .status,
    ).toBe(201);
    await markVerified(panel, first ?? 0, domain);
    expect(
      (
        await panel.http('POST', `/customers/${first}/mailboxes`, {
          address: mailbox,
          password: newPassword(),
          quota: '100Mi',
        })
      ).status,
    ).toBe(201);
    for (const id of customerIds) await converged(id);
    await worker?.stop();
    worker = undefined;
    const before = await customersAsListed();
    const zoneBefore = await (await pdnsZone(domain)).json();

    // Back up through the CLI; the bucket holds every dump and the manifest (listed by the S3 API).
    const backup = await hostplane('backup-platform', '--prefix', prefix, '--retention-days', '7');
    const id = backup.stdout.trim();
    expect(id).toMatch(/^\d{8}T\d{6}Z$/);
    const objects = (await store.list(`${prefix}/${id}/`)).map((o) => [o.key.split('/').at(-1), o.size > 0]);
    expect(objects).toEqual([
      ['mail.sql.gz', true],
      ['manifest.json', true],
      ['panel.pgdump', true],
      ['pdns.sql.gz', true],
    ]);
    expect(
      (await hostplane('restore-platform', '--list', '--prefix', prefix)).stdout.trim().split('\n'),
    ).toEqual([id]);

    // Disaster: the panel's database is emptied; the mailbox row and the zone are lost as well.
    const client = new pg.Client({ connectionString: panel.databaseUrl });
    await client.connect();
    try {
      const schemas = await client.query<{ nspname: string }>(
        `select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'`,
      );
      for (const { nspname } of schemas.rows) await client.query(`drop schema "${nspname}" cascade`);
      await client.query('create schema public');
      const tables = await client.query(
        `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
      );
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    expect((await panel.http('GET', '/customers')).status).toBe(500);
    const mail = await mysql.createConnection(stack.MAIL_DATABASE_URL);
    try {
      await mail.query('delete from virtual_users where email = ?', [mailbox]);
      expect((await pdnsZone(domain)).status).toBe(200);
      const gone = await fetch(`${stack.PDNS_API_URL}/api/v1/servers/localhost/zones/${domain}.`, {
        method: 'DELETE',
        headers: { 'X-API-Key': stack.PDNS_API_KEY },
      });
      expect(gone.status).toBe(204);
      expect((await pdnsZone(domain)).status).toBe(404);

      // A restore without --yes changes nothing.
      await expect(hostplane('restore-platform', '--prefix', prefix)).rejects.toMatchObject({ code: 2 });
      const restored = await hostplane('restore-platform', '--prefix', prefix, '--yes');
      expect(restored.stdout.trim()).toBe(`restored panel, mail, pdns from ${id}`);

      expect(await customersAsListed()).toEqual(before);
      const [rows] = await mail.query('select email from virtual_users where email = ?', [mailbox]);
      expect(rows).toEqual([{ email: mailbox }]);
    } finally {
      await mail.end();
    }
    expect(await (await pdnsZone(domain)).json()).toEqual(zoneBefore);

    // A resync of every target over the restored rows writes nothing.
    const logger = pino({ level: 'silent' });
    const env = parseServeEnv(serveVariables(panel.databaseUrl, panel.platformFile));
    const targets = assembleTargets(env, logger, panel.api.db, panel.platform);
    expect(targets.map((t: { name: string }) => t.name).sort()).toEqual([
      'Backup',
      'Customer',
      'DNS',
      'Databases',
      'Kubernetes',
      'Mail',
    ]);
    for (const customerId of customerIds) {
      const snapshot = await loadCustomerSnapshot(panel.api.db, customerId);
      if (!snapshot) throw new Error(`customer ${customerId} missing after restore`);
      for (const target of targets) {
        const outcome = await target.run(snapshot, ctx);
        expect({ customerId, target: target.name, status: outcome.status, changes: outcome.changes }).toEqual(
          {
            customerId,
            target: target.name,
            status: 'True',
            changes: 0,
          },
        );
      }
    }
  });

  it('bad arguments are refused with usage and exit 2', async () => {
    await expect(
      hostplane('restore-platform', '--only', 'panel,dns', '--yes', '--prefix', prefix),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--only names panel, mail, pdns or maildir'),
    });
    await expect(hostplane('backup-platform', '--retention-days', 'soon')).rejects.toMatchObject({ code: 2 });
  });
});
