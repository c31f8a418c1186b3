import type { Plan } from '@hostplane/contracts';
import { parsePlatformConfig } from '@hostplane/platform';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './testing/browser.ts';
import { ensureBuilt, type RunningApi, type RunningWeb, startApi, startWeb } from './testing/servers.ts';

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

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${web.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-email').waitFor();
}

/** A POST through the panel's proxy with the page's session and CSRF token, as the forms send it. */
async function post<T>(page: Page, path: string, data: object): Promise<T> {
  const csrf = (await browser.context.cookies(web.url)).find((c) => c.name === 'hp_csrf')?.value ?? '';
  const res = await page.request.post(`${web.url}/api/v1${path}`, {
    headers: { 'x-csrf-token': csrf },
    data,
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as T;
}

beforeAll(async () => {
  await ensureBuilt();
  api = await startApi({}, parsePlatformConfig({ webmailUrl: WEBMAIL }));
  web = await startWeb(api.url);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  await signIn(page, api.adminEmail, api.adminPassword);
  const plan = await post<Plan>(page, '/plans', {
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
    await post<{ id: number }>(page, '/customers', {
      name: 'Mail Ltd',
      email: customerEmail,
      planId: plan.id,
      password: customerPassword,
    })
  ).id;
  const base = `/customers/${customerId}`;
  await post(page, `${base}/domains`, { name: 'webmail-link.test', mail: true });
  await post(page, `${base}/mailboxes`, {
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
    await signIn(page, customerEmail, customerPassword);
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
