// npm run bench:mail [-- --mailboxes N --messages M --api-mailboxes K]
// Figures of the mail room on the local stack (loadStackEnv; HOSTPLANE_STACK_DIR picks another stack):
//   1. mailboxes created per second through the Mail target: one pass creating N, and N passes adding
//      one each (observe → plan → one transaction per pass);
//   2. mailboxes per second through the panel (`hostplane serve`: POST → PostgreSQL → queue → worker →
//      Mail target → row in MySQL), password hashing included;
//   3. messages per second from SMTP (Postfix → Rspamd milter → LMTP → Dovecot) to IMAP-visible.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAdminUser, createApiToken } from '@hostplane/api';
import type { CustomerSnapshot } from '@hostplane/domain';
import { createMailTarget, migrateMailDb } from '@hostplane/provisioner-mail';
import { createPanelScratchDb, insertCustomer, insertPlan, repoRoot } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { sql } from 'kysely';
import mysql from 'mysql2/promise';
import nodemailer from 'nodemailer';
import {
  dovecotHash,
  ensureMailNamespace,
  env,
  hostPort,
  imapClient,
  passContext,
  stackDeps,
  stateDir,
} from '../packages/provisioner-mail/src/test-support/stack.ts';

const { values } = parseArgs({
  options: {
    mailboxes: { type: 'string', default: '200' },
    messages: { type: 'string', default: '200' },
    'api-mailboxes': { type: 'string', default: '50' },
  },
});
const tag = `b${Date.now().toString(36)}`;
const deps = stackDeps();
const target = createMailTarget(deps);
const ctx = passContext();
const step = (what: string) => process.env.BENCH_VERBOSE && console.error(`… ${what}`);
const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);

async function mailboxes(domain: string, count: number, hash: string) {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    address: `u${i}@${domain}`,
    passwordHash: hash,
    quotaBytes: 100 * 1024 * 1024,
    enabled: true,
    sendLimitPerHour: 100,
  }));
}

async function pass(snapshot: CustomerSnapshot) {
  const outcome = await target.run(snapshot, ctx);
  if (outcome.status !== 'True') throw new Error(`Mail target: ${outcome.reason}: ${outcome.message}`);
}

async function throughTarget(count: number, hash: string) {
  const batch = customerSnapshot({ id: 970_001, domains: [mailDomain(`${tag}-batch.example`)] });
  batch.mailboxes = await mailboxes(`${tag}-batch.example`, count, hash);
  let started = performance.now();
  await pass(batch);
  const batchMs = performance.now() - started;

  const domain = `${tag}-one.example`;
  const all = await mailboxes(domain, count, hash);
  const single = customerSnapshot({ id: 970_002, domains: [mailDomain(domain)] });
  started = performance.now();
  for (let i = 1; i <= count; i++) await pass({ ...single, mailboxes: all.slice(0, i) });
  const oneMs = performance.now() - started;
  const converged = performance.now();
  await pass({ ...single, mailboxes: all });
  const noopMs = performance.now() - converged;
  for (const s of [batch, single]) await pass({ ...s, deleting: true });
  return {
    batch: perSecond(count, batchMs),
    onePerPass: perSecond(count, oneMs),
    noopPassMs: noopMs.toFixed(1),
  };
}

async function throughSmtp(count: number, password: string) {
  const domain = `${tag}-smtp.example`;
  const snapshot = customerSnapshot({ id: 970_003, domains: [mailDomain(domain)] });
  snapshot.mailboxes = [
    {
      id: 1,
      address: `inbox@${domain}`,
      passwordHash: await dovecotHash(password),
      quotaBytes: 0,
      enabled: true,
      sendLimitPerHour: 100,
    },
  ];
  await pass(snapshot);
  // Four SMTP connections at once, as a few sending servers would; each message is its own transaction.
  const transport = nodemailer.createTransport({
    ...hostPort(env.SMTP_ADDR),
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      transport.sendMail({
        from: 'bench@example.org',
        to: `inbox@${domain}`,
        subject: `bench ${i}`,
        text: `message ${i}`,
      }),
    ),
  );
  const sentMs = performance.now() - started;
  transport.close();
  const imap = imapClient(`inbox@${domain}`, password);
  await imap.connect();
  let visible = 0;
  try {
    for (const deadline = Date.now() + 120_000; visible < count && Date.now() < deadline; ) {
      const status = await imap.status('INBOX', { messages: true });
      visible = status ? (status.messages ?? 0) : 0;
      if (visible < count) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await imap.logout();
  }
  const totalMs = performance.now() - started;
  await pass({ ...snapshot, deleting: true });
  return { accepted: perSecond(count, sentMs), delivered: perSecond(visible, totalMs), visible };
}

/** `hostplane serve` on a scratch panel database, with the Mail target wired by MAIL_DATABASE_URL. */
async function startServe(databaseUrl: string, port: number): Promise<ChildProcess> {
  // node itself, not npx: SIGTERM must reach the serve process, which then shuts down gracefully.
  const child = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/hostplane.js'), 'serve'], {
    env: {
      ...process.env,
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOSTPLANE_STACK_DIR: stateDir,
      SESSION_COOKIE_SECURE: 'false',
      LOG_LEVEL: process.env.BENCH_VERBOSE ? 'debug' : 'warn',
      RESYNC_MINUTES: '60',
    },
    stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`hostplane serve exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error('hostplane serve did not answer /healthz within 60 s');
}

/** A scratch panel database; its customer ids start far from a real panel's, because customer ids
 * are the ownership mark in the shared mail database. */
async function withPanel<T>(run: (url: string, token: string, customerId: number) => Promise<T>): Promise<T> {
  step('creating the scratch panel database');
  const scratch = await createPanelScratchDb('bench_mail', { serverUrl: env.DATABASE_URL });
  try {
    const { db } = scratch;
    const adminId = await createAdminUser(db, 'bench@hostplane.test', randomBytes(12).toString('hex'));
    const { token } = await createApiToken(db, adminId, { name: 'bench', scope: 'write' });
    await sql`alter table customers alter column id restart with 970100`.execute(db);
    const limits = {
      cpu: '8',
      memory: '16Gi',
      storage: '100Gi',
      sites: 10,
      domains: 10,
      mailboxes: 100_000,
      mailboxQuota: '10Ti',
      databases: 1,
      backupRetentionDays: 7,
    };
    const customerId = await insertCustomer(db, await insertPlan(db, limits), 'Bench');
    return await run(scratch.url, token, customerId);
  } finally {
    step('dropping the scratch panel database');
    await scratch.drop();
    step('dropped');
  }
}

async function throughPanel(count: number) {
  return withPanel(async (url, token, customerId) => {
    step('panel seeded; starting hostplane serve');
    const port = 18_600 + Math.floor(Math.random() * 100);
    const serve = await startServe(url, port);
    const base = `http://127.0.0.1:${port}/api/v1/customers/${customerId}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: object) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    };
    const db = await mysql.createConnection(env.MAIL_DATABASE_URL);
    const domain = `${tag}-api.example`;
    try {
      step('serve up');
      await post('/domains', { name: domain, dns: false, mail: true });
      step('domain posted');
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        await post('/mailboxes', {
          address: `u${i}@${domain}`,
          password: `Bench-${randomBytes(8).toString('hex')}-pw`,
          quota: '100Mi',
        });
      }
      const postedMs = performance.now() - started;
      step('mailboxes posted');
      let rows = 0;
      for (const deadline = Date.now() + 120_000; rows < count && Date.now() < deadline; ) {
        const [r] = await db.query<mysql.RowDataPacket[]>(
          'SELECT COUNT(*) AS n FROM virtual_users WHERE email LIKE ?',
          [`%@${domain}`],
        );
        rows = Number(r[0]?.n ?? 0);
        if (rows < count) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const totalMs = performance.now() - started;
      await fetch(base, { method: 'DELETE', headers: { authorization: headers.authorization } });
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const [r] = await db.query<mysql.RowDataPacket[]>(
          'SELECT COUNT(*) AS n FROM virtual_domains WHERE customer_id = ?',
          [customerId],
        );
        if (Number(r[0]?.n) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      step('customer deleted');
      return { posted: perSecond(count, postedMs), inMailDb: perSecond(rows, totalMs), rows };
    } finally {
      await db.end();
      if (serve.exitCode === null) {
        const exited = new Promise((resolve) => serve.once('exit', resolve));
        serve.kill('SIGTERM');
        // serve logs "stopped" but idle pools of its targets may keep the process alive: not for ever.
        const killer = setTimeout(() => serve.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    }
  });
}

async function main(): Promise<void> {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace(); // bootstrap's job in a cluster
  const count = Number(values.mailboxes);
  const hash = await dovecotHash('bench-password'); // the API hashes; the target only copies the hash
  const target = await throughTarget(count, hash);
  console.log(
    `mailboxes through the Mail target (${count}): ${target.batch}/s in one pass, ${target.onePerPass}/s one per pass; converged pass ${target.noopPassMs} ms`,
  );
  const apiCount = Number(values['api-mailboxes']);
  try {
    const panel = await throughPanel(apiCount);
    console.log(
      `mailboxes through the panel (${apiCount}, hostplane serve): POST ${panel.posted}/s, in the mail DB ${panel.inMailDb}/s (${panel.rows} rows)`,
    );
  } catch (err) {
    console.log(`mailboxes through the panel: not measured (${(err as Error).message})`);
  }
  const messages = Number(values.messages);
  const smtp = await throughSmtp(messages, 'bench-password');
  console.log(
    `messages SMTP → IMAP-visible (${messages}, 4 SMTP connections): accepted ${smtp.accepted}/s, delivered ${smtp.delivered}/s (${smtp.visible} visible)`,
  );
  await deps.db.close();
}

await main();
