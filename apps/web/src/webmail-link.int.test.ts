import type { Plan } from '@hostplane/contracts';
import { parsePlatformConfig } from '@hostplane/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './testing/browser.ts';
import { ensureBuilt, type RunningApi, type RunningWeb, startApi, startWeb } from './testing/servers.ts';
import { postAs, signIn } from './testing/session.ts';

// The platform-wide webmail on the customer's mail page (issue 17), in Debian's Chromium against the
// real API: the platform config's webmailUrl (bootstrap renders https://<bootstrap.hosts.webmail>/)
// reaches GET /platform and the page links to it, from the Mailboxes section and from each mailbox
// whose domain has no webmail host of its own.

const WEBMAIL = 'https://webmail.example.net/';
let api: RunningApi;
let web: RunningWeb;
let browser: Browser;
const customerEmail = 'owner@webmail-link.test';
const customerPassword = 'customer-pass-123';
let customerId = 0;

beforeAll(async () => {
  await ensureBuilt();
  api = await startApi({}, parsePlatformConfig({ webmailUrl: WEBMAIL }));
  web = await startWeb(api.url);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  await signIn(page, web.url, api.adminEmail, api.adminPassword);
  const plan = await postAs<Plan>(page, web.url, '/plans', {
    name: 'Mail',
    limits: {
      cpu: '1',
      memory: '1Gi',
      storage: '1Gi',
      sites: 1,
      domains: 1,
      mailboxes: 2,
      mailboxQuota: '1Gi',
      databases: 0,
      backupRetentionDays: 1,
    },
  });
  customerId = (
    await postAs<{ id: number }>(page, web.url, '/customers', {
      name: 'Mail Ltd',
      email: customerEmail,
      planId: plan.id,
      password: customerPassword,
    })
  ).id;
  const base = `/customers/${customerId}`;
  await postAs(page, web.url, `${base}/domains`, { name: 'webmail-link.test', mail: true });
  await postAs(page, web.url, `${base}/mailboxes`, {
    address: 'info@webmail-link.test',
    password: 'mailbox-pass-123',
    quota: '100Mi',
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await page.close();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await api?.close();
});

describe('the platform webmail on the mail page', () => {
  it('links the customer to the platform-wide webmail, from the section and from a mailbox', async () => {
    const page = await browser.context.newPage();
    await signIn(page, web.url, customerEmail, customerPassword);
    const info = await page.request.get(`${web.url}/api/v1/platform`);
    expect(info.status()).toBe(200);
    expect(((await info.json()) as { webmail: { url: string | null } }).webmail).toEqual({ url: WEBMAIL });

    await page.goto(`${web.url}/customers/${customerId}/mail`);
    const open = page.getByTestId('platform-webmail');
    await open.waitFor();
    expect(await open.textContent()).toBe('Open webmail');
    expect(await open.getAttribute('href')).toBe(WEBMAIL);
    // The domain has no webmail.{domain} host: its mailbox opens the platform's webmail.
    const link = page
      .getByRole('row', { name: /info@webmail-link\.test/ })
      .getByRole('link', { name: 'Webmail' });
    expect(await link.getAttribute('href')).toBe(WEBMAIL);
    await page.close();
  }, 120_000);
});
