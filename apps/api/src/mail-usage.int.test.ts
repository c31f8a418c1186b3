import { loadCustomerSnapshot } from '@hostplane/db';
import {
  createMailTarget,
  LocalMaildirRemover,
  MysqlMailDatabase,
  migrateMailDb,
  RspamdDkimFiles,
  rspamdFilesOfStack,
} from '@hostplane/provisioner-mail';
import { loadStackEnv, stackStateDir, waitFor } from '@hostplane/testing';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoveadmHttpUsage } from './mail-usage.ts';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from './testing/harness.ts';

// Issue 17: quota usage as the customer sees it in GET …/mailboxes (and the customer's total in
// GET …/mail-usage), read live from the stack's Dovecot (doveadm HTTP API), after mail delivered over
// SMTP: it equals what IMAP reports (GETQUOTAROOT, STATUS), and warns at 80 % of the quota.

const env = loadStackEnv();
const tag = `u${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const domain = `${tag}-usage.example`;
const address = `full@${domain}`;
const password = 'mailbox-password-1';
const QUOTA_BYTES = 16 * 1024;
const mailDb = new MysqlMailDatabase({ url: env.MAIL_DATABASE_URL });
const mail = createMailTarget({
  db: mailDb,
  dkimSecrets: null,
  localRspamd: new RspamdDkimFiles(rspamdFilesOfStack(stackStateDir())),
  maildirs: LocalMaildirRemover.ofStack(stackStateDir()),
});
/** The mail DB is shared by every test process: a customer id of this process's own. */
const mailCustomerId = 700_000 + (process.pid % 50_000) * 2;
const pass = () => ({ signal: new AbortController().signal, log: pino({ level: 'silent' }) });

let api: TestApi;
let c: TestCustomer;
const addr = (value: string) => {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
};

async function provision(deleting = false) {
  const snapshot = await loadCustomerSnapshot(api.db, c.id);
  if (!snapshot) throw new Error('no snapshot');
  // Ownership is proven elsewhere (verify); DKIM signing is not what this file is about.
  const domains = snapshot.domains.map((d) => ({ ...d, verified: true, dkim: null }));
  return mail.run({ ...snapshot, id: mailCustomerId, domains, deleting }, pass());
}

async function deliver(i: number) {
  const { host, port } = addr(env.SMTP_ADDR);
  const transport = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true });
  await transport.sendMail({
    from: 'sender@outside.example',
    to: address,
    subject: `${tag} filler ${i}`,
    text: `${'lorem ipsum dolor sit amet '.repeat(100)}\n`,
  });
}

/** What IMAP says: GETQUOTAROOT's storage (bytes, counted in KiB) and STATUS MESSAGES of every folder. */
async function imapUsage(): Promise<{ storage: number; messages: number }> {
  const { host, port } = addr(env.IMAP_ADDR);
  const client = new ImapFlow({
    host,
    port,
    secure: false,
    auth: { user: address, pass: password },
    tls: { rejectUnauthorized: false },
    logger: false,
  });
  await client.connect();
  try {
    const quota = await client.getQuota('INBOX');
    let messages = 0;
    for (const folder of await client.list()) {
      const status = await client.status(folder.path, { messages: true });
      messages += status ? (status.messages ?? 0) : 0;
    }
    // getQuota answers false when the server has no quota for the folder.
    const storage = quota === false ? undefined : quota.storage;
    return { storage: storage?.usage ?? -1, messages };
  } finally {
    await client.logout();
  }
}

async function listed() {
  const res = await api.app.inject({
    method: 'GET',
    url: `/api/v1/customers/${c.id}/mailboxes`,
    headers: bearer(c.token),
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as {
    items: {
      address: string;
      usage: { bytes: number; messages: number; percent: number; warning: string | null };
    }[];
  };
  const mailbox = body.items.find((m) => m.address === address);
  if (!mailbox) throw new Error(`${address} is not listed`);
  return mailbox;
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  const usage = new DoveadmHttpUsage({ url: env.DOVEADM_API_URL ?? '', apiKey: env.DOVEADM_API_KEY ?? '' });
  api = await startTestApi({}, undefined, undefined, { mailUsage: usage });
  const plan = await createPlan(api, { domains: 2, mailboxes: 2, mailboxQuota: '64Ki' });
  c = await createCustomer(api, plan.id);
  for (const [path, payload] of [
    ['domains', { name: domain, mail: true }],
    ['mailboxes', { address, password, quota: `${QUOTA_BYTES / 1024}Ki` }],
  ] as const) {
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${c.id}/${path}`,
      headers: bearer(c.token),
      payload,
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  expect(await provision()).toMatchObject({ status: 'True' });
}, 60_000);

afterAll(async () => {
  if (api && c) await provision(true);
  await mailDb.close();
  await api?.close();
});

describe('mailbox quota usage and warnings', () => {
  it('shows usage equal to IMAP and warns from 80 % of the quota', async () => {
    expect((await listed()).usage).toEqual({ bytes: 0, messages: 0, percent: 0, warning: null });
    // Fill the mailbox one message at a time until it crosses 80 % (each is ~3 KiB of a 16 KiB quota).
    let sent = 0;
    let last = await listed();
    while (last.usage.percent < 80) {
      expect(sent).toBeLessThan(6);
      await deliver(sent);
      sent += 1;
      last = await waitFor(
        `message ${sent} to count in the usage`,
        async () => {
          const now = await listed();
          return now.usage.messages === sent ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    }
    const imap = await imapUsage();
    expect(last.usage.messages).toBe(imap.messages);
    // GETQUOTAROOT counts KiB, rounded up (imapflow gives bytes = KiB × 1024).
    expect(Math.ceil(last.usage.bytes / 1024) * 1024).toBe(imap.storage);
    expect(last.usage.percent).toBe(Math.round((last.usage.bytes / QUOTA_BYTES) * 1000) / 10);
    expect(last.usage.warning).toBe(last.usage.percent >= 95 ? 'critical' : 'warning');
  });

  it("totals the customer's mail against the plan", async () => {
    const mailbox = await listed();
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/customers/${c.id}/mail-usage`,
      headers: bearer(c.token),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      bytes: mailbox.usage.bytes,
      messages: mailbox.usage.messages,
      allocatedBytes: QUOTA_BYTES,
      planBytes: 64 * 1024,
      percent: Math.round((mailbox.usage.bytes / (64 * 1024)) * 1000) / 10,
      warning: null,
      unknown: [],
    });
  });
});
