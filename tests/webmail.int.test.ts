// Issue 17, webmail: the stack's Roundcube (WEBMAIL_URL) driven by a real browser (Debian's Chromium
// through playwright-core, as the panel's tests do). A mailbox made through the API logs in with its
// own password, reads a message delivered over SMTP, and sends one that arrives in another mailbox
// DKIM-signed (verified against the TXT record in PowerDNS); a suspended customer's login is refused.

import { loadCustomerSnapshot } from '@hostplane/db';
import { rspamdFilesOfStack } from '@hostplane/localstack/mail-adapters';
import { rspamdLogOffset, waitForRspamdMap } from '@hostplane/testing';
import { sql } from 'kysely';
import { dkimVerify } from 'mailauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from '../apps/api/src/testing/harness.ts';
import { type Browser, launchBrowser } from '../apps/web/src/testing/browser.ts';
import { migrateMailDb } from '../packages/provisioner-mail/src/schema/index.ts';
import { createMailTarget } from '../packages/provisioner-mail/src/target.ts';
import {
  dnsTarget,
  ensureMailNamespace,
  env,
  newPassword,
  passContext,
  pdnsResolver,
  runTag,
  smtpTransport,
  stackDeps,
  stateDir,
  waitForMessage,
} from '../packages/provisioner-mail/src/test-support/stack.ts';

const FIRST_ID = 720_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-wm.test`;
const writer = `writer@${domain}`;
const reader = `reader@${domain}`;
const password = newPassword();

let api: TestApi;
let c: TestCustomer;
let browser: Browser;
const deps = stackDeps();
const mail = createMailTarget(deps);
const dns = dnsTarget();
const url = (path: string) => `/api/v1/customers/${c.id}/${path}`;
const call = (method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) =>
  api.app.inject({ method, url: url(path), headers: bearer(c.token), ...(payload ? { payload } : {}) });

function webmailUrl(): string {
  const value = env.WEBMAIL_URL;
  if (!value) throw new Error('the stack has no WEBMAIL_URL: stack down/up');
  return value;
}

async function reconcile() {
  const snapshot = await loadCustomerSnapshot(api.db, c.id);
  if (!snapshot) throw new Error('no snapshot');
  expect(await dns.run(snapshot, passContext())).toMatchObject({ status: 'True' });
  expect(await mail.run(snapshot, passContext())).toMatchObject({ status: 'True' });
}

/** Roundcube's login form; resolves once the mail view or the login's message shows (its text). */
async function logIn(page: Page, user: string, pass: string): Promise<'mail' | string> {
  // A new session each time (pages of one browser context share Roundcube's cookie).
  await page.context().clearCookies();
  await page.goto(`${webmailUrl()}/`);
  await page.fill('#rcmloginuser', user);
  await page.fill('#rcmloginpwd', pass);
  await page.click('#rcmloginsubmit');
  const mailView = page.waitForSelector('#messagelist', { timeout: 20_000 }).then(() => 'mail');
  const message = page
    .waitForSelector('#messagestack div:not(.loading)', { timeout: 20_000 })
    .then(async (el) => (await el.textContent()) ?? '');
  return Promise.race([mailView, message]);
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  api = await startTestApi();
  await sql`alter table customers alter column id restart with ${sql.lit(FIRST_ID)}`.execute(api.db);
  c = await createCustomer(api, (await createPlan(api, { domains: 2, mailboxes: 3 })).id);
  expect((await call('POST', 'domains', { name: domain, mail: true })).statusCode).toBe(201);
  const verified = await api.app.inject({
    method: 'POST',
    url: url(`domains/${domain}/verify`),
    headers: bearer(api.adminToken),
    payload: { method: 'admin' },
  });
  expect(verified.statusCode, verified.body).toBe(200);
  for (const address of [writer, reader]) {
    const res = await call('POST', 'mailboxes', { address, password, quota: '5Mi' });
    expect(res.statusCode, res.body).toBe(201);
  }
  const logOffset = rspamdLogOffset();
  await reconcile();
  const maps = rspamdFilesOfStack(stateDir);
  for (const map of [maps.selectorMap, maps.identityMap!]) await waitForRspamdMap(map, logOffset);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (c) {
    const snapshot = await loadCustomerSnapshot(api.db, c.id);
    if (snapshot) {
      await mail.run({ ...snapshot, deleting: true }, passContext());
      await dns.run({ ...snapshot, deleting: true }, passContext());
    }
  }
  await deps.db.close();
  await api?.close();
});

describe('webmail (Roundcube) in a browser', () => {
  it('logs in with the mailbox password and reads a message delivered over SMTP', async () => {
    const subject = `Welcome ${runTag}`;
    await smtpTransport().sendMail({
      from: 'someone@outside.example',
      to: writer,
      subject,
      text: `The body of ${runTag}.`,
    });
    await waitForMessage(writer, password, subject);
    const page = await browser.context.newPage();
    try {
      expect(await logIn(page, writer, password)).toBe('mail');
      await page.click(`#messagelist tr:has-text("${subject}")`);
      const preview = page.frameLocator('#messagecontframe');
      await expect(
        preview.locator('body').getByText(`The body of ${runTag}.`).waitFor(),
      ).resolves.toBeUndefined();
    } finally {
      await page.close();
    }
  }, 60_000);

  it('refuses a wrong password', async () => {
    const page = await browser.context.newPage();
    try {
      expect(await logIn(page, writer, `${password}-wrong`)).toMatch(/Login failed/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('sends a message that arrives in another mailbox, DKIM-signed by the domain', async () => {
    const subject = `From webmail ${runTag}`;
    const page = await browser.context.newPage();
    try {
      expect(await logIn(page, writer, password)).toBe('mail');
      await page.goto(`${webmailUrl()}/?_task=mail&_action=compose`);
      await page.locator('.recipient-input input').first().fill(reader);
      await page.fill('#compose-subject', subject);
      await page.fill('#composebody', `Sent from the browser, ${runTag}.`);
      await page.locator('button.send, a.send').first().click();
      const source = await waitForMessage(reader, password, subject);
      expect(source).toMatch(new RegExp(`^From: .*${writer.replace('.', '\\.')}`, 'im'));
      const result = await dkimVerify(Buffer.from(source), { resolver: pdnsResolver() });
      expect(result.results.map((r) => [r.signingDomain, r.status.result])).toEqual([[domain, 'pass']]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("refuses a suspended customer's mailbox", async () => {
    const suspended = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/${c.id}`,
      headers: bearer(api.adminToken),
      payload: { suspended: true },
    });
    expect(suspended.statusCode, suspended.body).toBe(200);
    await reconcile();
    const page = await browser.context.newPage();
    try {
      // The same password logged in above; Dovecot now refuses the suspended customer's mailbox.
      expect(await logIn(page, writer, password)).toMatch(/Login failed/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
