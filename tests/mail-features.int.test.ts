// Issue 17 through the API: a mailbox's settings go API → panel DB → snapshot → Mail target → the
// stack's Dovecot, and its usage comes back live from Dovecot (doveadm HTTP API) in GET …/mailboxes.
// Checked as mail clients see it: SMTP in, IMAP GETQUOTAROOT / STATUS out.

import { DoveadmHttpUsage } from '@hostplane/api';
import {
  imapClient,
  type MailCustomer,
  newPassword,
  setUpMailCustomer,
  smtpTransport,
  waitForMessage,
} from '@hostplane/testing/mail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createPlan, startTestApi, type TestApi } from '../apps/api/src/testing/harness.ts';
import { migrateMailDb } from '../packages/provisioner-mail/src/schema/index.ts';
import { createMailTarget } from '../packages/provisioner-mail/src/target.ts';
import {
  ensureMailNamespace,
  env,
  passContext,
  runTag,
  stackDeps,
} from '../packages/provisioner-mail/src/test-support/stack.ts';

const FIRST_ID = 730_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-mf.test`;
const mailbox = `info@${domain}`;
const other = `other@${domain}`;
const password = newPassword();
const otherPassword = newPassword();

let api: TestApi;
let mail: MailCustomer<Awaited<ReturnType<TestApi['app']['inject']>>>;
const deps = stackDeps();
const target = createMailTarget(deps);
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object) =>
  mail.call(method, path, payload);
const reconcile = () => mail.reconcile();

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  const { DOVEADM_API_URL, DOVEADM_API_KEY } = env;
  if (!DOVEADM_API_URL || !DOVEADM_API_KEY)
    throw new Error('the stack has no DOVEADM_API_URL: stack down/up');
  api = await startTestApi({}, undefined, undefined, {
    mailUsage: new DoveadmHttpUsage({ url: DOVEADM_API_URL, apiKey: DOVEADM_API_KEY }),
  });
  mail = await setUpMailCustomer({
    api,
    firstId: FIRST_ID,
    createCustomer: async () =>
      createCustomer(api, (await createPlan(api, { domains: 2, mailboxes: 3, mailboxQuota: '10Mi' })).id),
    domain,
    mailboxes: [
      { address: mailbox, password, quota: '5Mi' },
      { address: other, password: otherPassword, quota: '1Mi' },
    ],
    runMailTarget: (snapshot) => target.run(snapshot, passContext()),
  });
}, 60_000);

afterAll(async () => {
  await mail?.cleanup();
  await deps.db.close();
  await api?.close();
});

describe('mailbox usage, live from Dovecot', () => {
  it('after N messages equals what IMAP reports (GETQUOTAROOT storage, STATUS message count)', async () => {
    const n = 3;
    for (let i = 0; i < n; i++) {
      await smtpTransport().sendMail({
        from: 'sender@elsewhere.example',
        to: mailbox,
        subject: `usage ${i} ${runTag}`,
        text: `message ${i} `.repeat(200 * (i + 1)),
      });
    }
    await waitForMessage(mailbox, password, `usage ${n - 1} ${runTag}`);
    await waitForMessage(mailbox, password, `usage 0 ${runTag}`);
    await waitForMessage(mailbox, password, `usage 1 ${runTag}`);
    const client = imapClient(mailbox, password);
    await client.connect();
    const quota = await client.getQuota('INBOX');
    const status = await client.status('INBOX', { messages: true });
    await client.logout();
    // The quota rule limits storage only, so GETQUOTAROOT names STORAGE; the count is STATUS's.
    if (!quota || typeof quota.storage !== 'object' || status === false)
      throw new Error('no GETQUOTAROOT/STATUS');
    const list = await call('GET', 'mailboxes');
    expect(list.statusCode, list.body).toBe(200);
    const item = (
      list.json().items as { address: string; usage: { bytes: number; messages: number } | null }[]
    ).find((m) => m.address === mailbox);
    expect(item?.usage).not.toBeNull();
    const usage = item!.usage!;
    expect(usage.messages).toBeGreaterThanOrEqual(n);
    expect(usage.messages).toBe(status.messages);
    // IMAP counts storage in KiB (imapflow multiplies by 1024); Dovecot rounds up.
    expect(Math.ceil(usage.bytes / 1024) * 1024).toBe(quota.storage.usage);
    expect(usage.bytes).toBeGreaterThan(n * 2_000);
  });

  it('warns at 80 % of a mailbox quota and sums the customer against the plan', async () => {
    // ~850 KiB into the 1 MiB mailbox: above 80 %, below 95 %.
    await smtpTransport().sendMail({
      from: 'sender@elsewhere.example',
      to: other,
      subject: `big ${runTag}`,
      text: 'x'.repeat(850 * 1024),
    });
    await waitForMessage(other, otherPassword, `big ${runTag}`);
    const items = (await call('GET', 'mailboxes')).json().items as {
      address: string;
      usage: { percent: number; warning: string | null };
    }[];
    const big = items.find((m) => m.address === other)?.usage;
    expect(big?.warning).toBe('warning');
    expect(big?.percent).toBeGreaterThanOrEqual(80);
    const total = await call('GET', 'mail-usage');
    expect(total.statusCode, total.body).toBe(200);
    const body = total.json();
    expect(body).toMatchObject({
      planBytes: 10 * 1024 * 1024,
      allocatedBytes: 6 * 1024 * 1024,
      unknown: [],
      messages: 4,
    });
    expect(body.bytes).toBeGreaterThan(850 * 1024);
  });
});

describe('autoresponder set through the API', () => {
  it('answers an outside sender once, with Auto-Submitted: auto-replied', async () => {
    const res = await call('PUT', `mailboxes/${other}/autoresponder`, {
      subject: `Away ${runTag}`,
      body: 'Back soon',
    });
    expect(res.statusCode, res.body).toBe(200);
    await reconcile();
    await smtpTransport().sendMail({ from: mailbox, to: other, subject: `hello ${runTag}`, text: 'hi' });
    const reply = await waitForMessage(mailbox, password, `Away ${runTag}`);
    expect(reply).toMatch(/^Auto-Submitted: auto-replied/im);
  });
});
