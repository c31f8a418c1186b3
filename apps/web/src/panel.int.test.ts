import type { Customer, Mailbox, Plan } from '@hostplane/contracts';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './testing/browser.ts';
import { ensureBuilt, type RunningApi, type RunningWeb, startApi, startWeb } from './testing/servers.ts';
import { signIn } from './testing/session.ts';

// The panel end to end: the production Next build in Debian's Chromium, against the real API on a
// fresh database of the stack's PostgreSQL. Everything is read back through the API afterwards.

let api: RunningApi;
let web: RunningWeb;
let browser: Browser;
const customerPassword = 'customer-pass-123';
let customerId = 0;

beforeAll(async () => {
  await ensureBuilt();
  api = await startApi();
  web = await startWeb(api.url);
  browser = await launchBrowser();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await api?.close();
});

/** The message shown beside a field: the element its aria-describedby names, once it is marked invalid. */
async function fieldError(page: Page, form: string, label: string): Promise<string> {
  const input = page.getByRole('form', { name: form }).getByLabel(label, { exact: true });
  await page.getByRole('form', { name: form }).locator('[aria-invalid="true"]').first().waitFor();
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const describedBy = await input.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  return (await page.locator(`[id="${describedBy}"]`).textContent()) ?? '';
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/** GET through the panel's own proxy with the page's session cookie. */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(`${web.url}/api/v1${path}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as T;
}

describe('panel in Chromium', () => {
  it('refuses a wrong password and names a malformed email beside its field', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${web.url}/`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('whatever');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[aria-invalid="true"]').waitFor();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Email').fill(api.adminEmail);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('wrong email or password').waitFor();
    await page.close();
  });

  it('admin signs in, creates a plan and a customer and sees it in the list', async () => {
    const page = await browser.context.newPage();
    await signIn(page, web.url, api.adminEmail, api.adminPassword);
    const session = (await browser.context.cookies(web.url)).find((c) => c.name === 'hp_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });

    await nav(page).getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('button', { name: 'New plan' }).click();
    const planForm = page.getByRole('form', { name: 'New plan' });
    await planForm.getByLabel('Plan name').fill('Starter');
    await planForm.getByLabel('CPU', { exact: true }).fill('lots');
    await planForm.getByRole('button', { name: 'Create plan' }).click();
    expect(await fieldError(page, 'New plan', 'CPU')).toContain('Kubernetes quantity');
    await planForm.getByLabel('CPU', { exact: true }).fill('1500m');
    await planForm.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('row', { name: /Starter/ }).waitFor();
    const plans = await apiGet<{ items: Plan[] }>(page, '/plans');
    expect(plans.items.map((p) => [p.name, p.limits.cpu])).toEqual([['Starter', '1500m']]);
    await page.screenshot({ path: '/tmp/hostplane-web-plans.png', fullPage: true });

    await nav(page).getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'New customer' }).click();
    const customerForm = page.getByRole('form', { name: 'New customer' });
    await customerForm.getByLabel('Customer name').fill('Acme Ltd');
    await customerForm.getByLabel('Email').fill('owner@acme.test');
    await customerForm.getByLabel('Plan').selectOption({ label: 'Starter' });
    await customerForm.getByLabel('Login password').fill(customerPassword);
    await customerForm.getByRole('button', { name: 'Create customer' }).click();
    const row = page.getByRole('row', { name: /Acme Ltd/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Not ready');
    const customers = await apiGet<{ items: Customer[] }>(page, '/customers');
    const acme = customers.items.find((c) => c.name === 'Acme Ltd');
    expect(acme).toMatchObject({ email: 'owner@acme.test', planId: plans.items[0]!.id, suspended: false });
    customerId = acme!.id;
    await page.screenshot({ path: '/tmp/hostplane-web-customers.png', fullPage: true });

    // A second customer the first one must never see.
    const csrf = (await browser.context.cookies(web.url)).find((c) => c.name === 'hp_csrf')!.value;
    const other = await page.request.post(`${web.url}/api/v1/customers`, {
      headers: { 'x-csrf-token': csrf },
      data: { name: 'Other Co', email: 'owner@other.test', planId: plans.items[0]!.id },
    });
    expect(other.status(), await other.text()).toBe(201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.close();
  });

  it('a customer sees only its own customer, creates a site and sees it listed', async () => {
    expect(customerId).toBeGreaterThan(0);
    const page = await browser.context.newPage();
    await signIn(page, web.url, 'owner@acme.test', customerPassword);
    await page.waitForURL(`${web.url}/customers/${customerId}`);
    await page.getByRole('heading', { name: 'Acme Ltd' }).waitFor();
    expect(await nav(page).getByRole('link', { name: 'Customers' }).count()).toBe(0);
    const visible = await apiGet<{ items: Customer[] }>(page, '/customers');
    expect(visible.items.map((c) => c.name)).toEqual(['Acme Ltd']);

    await page.getByRole('button', { name: 'New site' }).click();
    const siteForm = page.getByRole('form', { name: 'New site' });
    await siteForm.getByLabel('Site name').fill('Bad_Name');
    await siteForm.getByRole('button', { name: 'Create site' }).click();
    expect(await fieldError(page, 'New site', 'Site name')).toMatch(/lowercase/);
    await page.screenshot({ path: '/tmp/hostplane-web-site-error.png' });

    await siteForm.getByLabel('Site name').fill('blog');
    await siteForm.getByLabel('Template').selectOption('php');
    await siteForm.getByLabel('Replicas').fill('2');
    await siteForm.getByRole('button', { name: 'Create site' }).click();
    const row = page.getByRole('row', { name: /blog/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('php');
    const sites = await apiGet<{ items: { name: string; template: string; replicas: number }[] }>(
      page,
      `/customers/${customerId}/sites`,
    );
    expect(sites.items.map((s) => [s.name, s.template, s.replicas])).toEqual([['blog', 'php', 2]]);
    await page.screenshot({ path: '/tmp/hostplane-web-sites.png', fullPage: true });

    // Another customer's page answers 404 for this login, and the panel says so.
    const otherId = customerId + 1;
    await page.goto(`${web.url}/customers/${otherId}`);
    await page
      .getByRole('alert')
      .filter({ hasText: /not found/i })
      .waitFor();
    await page.close();
  });

  it('the customer adds a domain, a DNS record set, a mailbox and an API token', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${web.url}/customers/${customerId}/domains`);
    await page.getByRole('button', { name: 'Add domain' }).click();
    const domainForm = page.getByRole('form', { name: 'New domain' });
    await domainForm.getByLabel('Domain name').fill('acme-web.test');
    await domainForm.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('row', { name: /acme-web\.test/ }).waitFor();
    await page.screenshot({ path: '/tmp/hostplane-web-domains.png', fullPage: true });

    await page.getByRole('link', { name: 'DNS records' }).click();
    await page.getByRole('button', { name: 'Add record set' }).click();
    const recordForm = page.getByRole('form', { name: 'New record set' });
    await recordForm.getByLabel('Name').fill('www.acme-web.test');
    await recordForm.getByLabel('Type').selectOption('A');
    await recordForm.getByLabel('Records (one per line)').fill('192.0.2.10\n192.0.2.11');
    await recordForm.getByRole('button', { name: 'Add record set' }).click();
    await page.getByRole('row', { name: /www\.acme-web\.test/ }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '/tmp/hostplane-web-records-mobile.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    const records = await apiGet<{
      items: { name: string; type: string; records: string[]; managed: boolean }[];
    }>(page, `/customers/${customerId}/domains/acme-web.test/records`);
    // The list also carries the platform's read-only rrsets (SOA, NS, MX, …); the customer's own is the A set.
    const own = records.items.filter((r) => !r.managed);
    expect(own.map((r) => [r.type, r.records])).toEqual([['A', ['192.0.2.10', '192.0.2.11']]]);
    expect(records.items.some((r) => r.managed && r.type === 'SOA')).toBe(true);

    await page.getByRole('link', { name: 'Mail' }).click();
    await page.getByRole('button', { name: 'New mailbox' }).click();
    const mailboxForm = page.getByRole('form', { name: 'New mailbox' });
    await mailboxForm.getByLabel('Address').fill('info@acme-web.test');
    await mailboxForm.getByLabel('Password').fill('short');
    await mailboxForm.getByRole('button', { name: 'Create mailbox' }).click();
    expect(await fieldError(page, 'New mailbox', 'Password')).toContain('10 characters');
    await mailboxForm.getByLabel('Password').fill('mailbox-pass-123');
    await mailboxForm.getByRole('button', { name: 'Create mailbox' }).click();
    await page.getByRole('row', { name: /info@acme-web\.test/ }).waitFor();
    await page.screenshot({ path: '/tmp/hostplane-web-mail.png', fullPage: true });

    await nav(page).getByRole('link', { name: 'API tokens' }).click();
    const tokenForm = page.getByRole('form', { name: 'New token' });
    await tokenForm.getByLabel('Name').fill('billing');
    await tokenForm.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    const me = await fetch(`${api.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('owner@acme.test');
    await page.screenshot({ path: '/tmp/hostplane-web-tokens.png', fullPage: true });
    await page.close();
  });

  it('the customer sets a mailbox autoresponder and spam settings, and turns on webmail for its domain', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${web.url}/customers/${customerId}/mail`);
    const row = page.getByRole('row', { name: /info@acme-web\.test/ });
    await row.getByRole('button', { name: 'Settings' }).click();
    const auto = page.getByRole('form', { name: 'Autoresponder of info@acme-web.test' });
    await auto.getByLabel('Subject').fill('Out of office');
    await auto.getByLabel('Message').fill('Back on Monday.');
    await auto.getByRole('button', { name: 'Save autoresponder' }).click();
    await expect
      .poll(async () => {
        const list = await apiGet<{ items: Mailbox[] }>(page, `/customers/${customerId}/mailboxes`);
        return list.items[0]?.autoresponder?.subject;
      })
      .toBe('Out of office');
    // A reject score below the junk score is refused beside its field, and nothing changes.
    const spam = page.getByRole('form', { name: 'Spam settings of info@acme-web.test' });
    await spam.getByLabel('Junk from score').fill('8');
    await spam.getByLabel('Refuse from score').fill('5');
    await spam.getByRole('button', { name: 'Save spam settings' }).click();
    expect(await fieldError(page, 'Spam settings of info@acme-web.test', 'Refuse from score')).toContain(
      'above junkScore',
    );
    await spam.getByLabel('Refuse from score').fill('20');
    await spam.getByRole('button', { name: 'Save spam settings' }).click();
    await expect
      .poll(async () => {
        const list = await apiGet<{ items: Mailbox[] }>(page, `/customers/${customerId}/mailboxes`);
        return list.items[0]?.spam;
      })
      .toMatchObject({ junkScore: 8, rejectScore: 20 });
    await page.screenshot({ path: '/tmp/hostplane-web-mail-settings.png', fullPage: true });

    // Webmail at webmail.acme-web.test: the domain's toggle, then the mailbox links there.
    await page.goto(`${web.url}/customers/${customerId}/domains`);
    const toggle = page
      .getByRole('row', { name: /acme-web\.test/ })
      .getByRole('button', { name: 'Webmail', exact: true });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await page
      .locator('[data-domain="acme-web.test"] button[aria-pressed="true"][title="Turn off Webmail"]')
      .waitFor();
    await page.goto(`${web.url}/customers/${customerId}/mail`);
    const link = page
      .getByRole('row', { name: /info@acme-web\.test/ })
      .getByRole('link', { name: 'Webmail' });
    expect(await link.getAttribute('href')).toBe('https://webmail.acme-web.test/');
    await page.close();
  });

  it('admin edits a plan, suspends, resyncs and deletes customers (deletion asks first)', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signIn(page, web.url, api.adminEmail, api.adminPassword);
    await nav(page).getByRole('link', { name: 'Plans' }).click();
    await page
      .getByRole('row', { name: /Starter/ })
      .getByRole('button', { name: 'Edit' })
      .click();
    const planForm = page.getByRole('form', { name: 'Edit plan Starter' });
    await planForm.getByLabel('Sites', { exact: true }).fill('3');
    await planForm.getByRole('button', { name: 'Save plan' }).click();
    await planForm.waitFor({ state: 'detached' });
    const plans = await apiGet<{ items: Plan[] }>(page, '/plans');
    expect(plans.items.map((p) => [p.name, p.limits.sites])).toEqual([['Starter', 3]]);

    await nav(page).getByRole('link', { name: 'Customers' }).click();
    const acme = page.getByRole('row', { name: /Acme Ltd/ });
    await acme.getByRole('button', { name: 'Suspend' }).click();
    await acme.getByRole('button', { name: 'Unsuspend' }).waitFor();
    expect(await acme.textContent()).toContain('Suspended');
    // The row re-renders from the PATCH answer; the API's view is read until it agrees.
    await expect
      .poll(async () => (await apiGet<Customer>(page, `/customers/${customerId}`)).suspended)
      .toBe(true);
    await acme.getByRole('button', { name: 'Unsuspend' }).click();
    await acme.getByRole('button', { name: 'Suspend' }).waitFor();
    // The row re-renders from the PATCH answer; the API's view is read until it agrees.
    await expect
      .poll(async () => (await apiGet<Customer>(page, `/customers/${customerId}`)).suspended)
      .toBe(false);
    await acme.getByRole('button', { name: 'Resync' }).click();
    await acme.getByText('Resync queued').waitFor();

    const other = page.getByRole('row', { name: /Other Co/ });
    await other.getByRole('button', { name: 'Delete' }).click();
    await other.getByRole('button', { name: 'Cancel' }).click();
    const otherId = customerId + 1;
    expect((await apiGet<Customer>(page, `/customers/${otherId}`)).deleting).toBe(false);
    await other.getByRole('button', { name: 'Delete' }).click();
    await other.getByRole('button', { name: 'Yes, delete' }).click();
    await other.getByText('Deleting').waitFor();
    const res = await page.request.get(`${web.url}/api/v1/customers/${otherId}`);
    // Accepted: the worker removes it; until then it is listed as deleting (or already gone).
    expect(res.status() === 404 || ((await res.json()) as Customer).deleting).toBe(true);
    await page.close();
  });

  it('admin turns on TOTP in Account, then sign-in asks for the code', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signIn(page, web.url, api.adminEmail, api.adminPassword);
    await nav(page).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
    const enrol = page.getByRole('form', { name: 'Finish two-factor enrolment' });
    await enrol.getByLabel('Code').fill(await generate({ secret }));
    await enrol.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor authentication is on').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);

    await page.getByLabel('Email').fill(api.adminEmail);
    await page.getByLabel('Password').fill(api.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The code of the next time step: the enrolment used this one, and codes are never accepted twice.
    await page
      .getByLabel('Authentication code')
      .fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-email').waitFor();
    const me = await apiGet<{ user: { email: string; totpEnabled: boolean } }>(page, '/auth/me');
    expect(me.user).toMatchObject({ email: api.adminEmail, totpEnabled: true });
    await page.close();
  });
});
