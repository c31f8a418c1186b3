import { createHash, generateKeyPairSync } from 'node:crypto';
import type { Plan } from '@hostplane/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './testing/browser.ts';
import { ensureBuilt, type RunningApi, type RunningWeb, startApi, startWeb } from './testing/servers.ts';
import { postAs, signIn } from './testing/session.ts';

// The site page (issue 16) in Debian's Chromium against the real API: a customer signs in, opens its
// site and sees the database attached with its connection details, its cron job, its SFTP login;
// resets the database password (shown once) and creates and suspends a cron job through the forms.

let api: RunningApi;
let web: RunningWeb;
let browser: Browser;
const customerEmail = 'owner@sitepage.test';
const customerPassword = 'customer-pass-123';
let customerId = 0;

/** A fresh OpenSSH ed25519 public key line and its SHA256 fingerprint, as ssh-keygen -l shows it. */
function sshKey(): { line: string; fingerprint: string } {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(der.subarray(-32))]);
  return {
    line: `ssh-ed25519 ${blob.toString('base64')} me@laptop`,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

beforeAll(async () => {
  await ensureBuilt();
  api = await startApi();
  web = await startWeb(api.url);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  await signIn(page, web.url, api.adminEmail, api.adminPassword);
  const plan = await postAs<Plan>(page, web.url, '/plans', {
    name: 'Sites',
    limits: {
      cpu: '2',
      memory: '2Gi',
      storage: '5Gi',
      sites: 2,
      domains: 1,
      mailboxes: 1,
      mailboxQuota: '1Gi',
      databases: 2,
      backupRetentionDays: 1,
    },
  });
  customerId = (
    await postAs<{ id: number }>(page, web.url, '/customers', {
      name: 'Blog Ltd',
      email: customerEmail,
      planId: plan.id,
      password: customerPassword,
    })
  ).id;
  const base = `/customers/${customerId}`;
  await postAs(page, web.url, `${base}/sites`, { name: 'blog', template: 'php', phpVersion: '8.2' });
  await postAs(page, web.url, `${base}/databases`, { name: 'shop', sites: ['blog'] });
  await postAs(page, web.url, `${base}/sites/blog/cronjobs`, {
    name: 'nightly',
    schedule: '0 3 * * *',
    command: 'php cron.php',
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

describe('site page in Chromium', () => {
  it('shows the database and the cron job of a site, resets a password once, creates and suspends a cron job, adds an SSH key, changes PHP', async () => {
    const page = await browser.context.newPage();
    await signIn(page, web.url, customerEmail, customerPassword);
    await page.goto(`${web.url}/customers/${customerId}`);
    await page.getByRole('link', { name: 'blog', exact: true }).click();
    await page.waitForURL(new RegExp(`/customers/${customerId}/sites/blog$`));
    await page.getByRole('heading', { name: 'Site blog' }).waitFor();
    expect(await page.locator('[data-php-version]').textContent()).toBe('8.2');

    const database = page.locator('tr[data-database="shop"]');
    await database.waitFor();
    const databaseText = (await database.textContent()) ?? '';
    expect(databaseText).toContain('shop');
    expect(databaseText).toContain(`mariadb.cust-${customerId}.svc`);
    expect(databaseText).toContain('3306');

    const nightly = page.locator('tr[data-cronjob="nightly"]');
    await nightly.waitFor();
    expect(await nightly.textContent()).toContain('0 3 * * *');
    expect(await nightly.textContent()).toContain('php cron.php');

    expect(await page.locator('[data-sftp-user]').textContent()).toBe(`c${customerId}`);

    // The password is shown once, after the reset.
    await database.getByRole('button', { name: 'Reset password' }).click();
    const shown = page.getByRole('status', { name: 'New database credentials' });
    await shown.waitFor();
    const password = (await shown.locator('[data-password]').textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);

    await page.getByRole('button', { name: 'New cron job' }).click();
    const form = page.getByRole('form', { name: 'New cron job' });
    await form.getByLabel('Name', { exact: true }).fill('cleanup');
    await form.getByLabel('Schedule').fill('not cron');
    await form.getByLabel('Command').fill('php cleanup.php');
    await form.getByRole('button', { name: 'Create cron job' }).click();
    await form.locator('[aria-invalid="true"]').waitFor();
    await form.getByLabel('Schedule').fill('*/15 * * * *');
    await form.getByRole('button', { name: 'Create cron job' }).click();
    const cleanup = page.locator('tr[data-cronjob="cleanup"]');
    await cleanup.waitFor();
    await cleanup.getByRole('button', { name: 'Suspend' }).click();
    await cleanup.getByText('Suspended').waitFor();

    const jobs = await page.request.get(`${web.url}/api/v1/customers/${customerId}/sites/blog/cronjobs`);
    const items = ((await jobs.json()) as { items: { name: string; schedule: string; suspended: boolean }[] })
      .items;
    expect(items.map((j) => [j.name, j.schedule, j.suspended])).toEqual([
      ['cleanup', '*/15 * * * *', true],
      ['nightly', '0 3 * * *', false],
    ]);

    // SFTP: a key added shows its fingerprint.
    const key = sshKey();
    const keys = page.getByRole('form', { name: 'SFTP keys' });
    await keys.getByLabel('SSH public keys (one per line)').fill(key.line);
    await keys.getByRole('button', { name: 'Save keys' }).click();
    await page.getByRole('list', { name: 'SFTP key fingerprints' }).getByText(key.fingerprint).waitFor();

    // PHP: another version from the platform's list.
    const php = page.getByRole('form', { name: 'PHP version' });
    await php.getByLabel('PHP version').selectOption('8.4');
    await php.getByRole('button', { name: 'Change PHP version' }).click();
    await page.locator('[data-php-version]', { hasText: '8.4' }).waitFor();
    await page.screenshot({ path: '/tmp/hostplane-web-site.png', fullPage: true });
    await page.close();
  });

  it('creates a WordPress site on a PHP version the platform has a WordPress image for', async () => {
    // A sign-in of its own (an earlier test's session would send /login on to the panel).
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await signIn(page, web.url, customerEmail, customerPassword);
    await page.goto(`${web.url}/customers/${customerId}`);
    await page.getByRole('button', { name: 'New site' }).click();
    const form = page.getByRole('form', { name: 'New site' });
    // A php site any version; WordPress only those with an image; a static site has no PHP to choose.
    await form.getByLabel('Template').selectOption('php');
    // The versions come from /platform, which loads beside the page: wait for the choice to appear.
    await form.getByLabel('PHP version').waitFor();
    const options = () =>
      form
        .getByLabel('PHP version')
        .locator('option')
        .evaluateAll((all) => all.map((o) => (o as HTMLOptionElement).value));
    expect(await options()).toEqual(['8.2', '8.4']);
    await form.getByLabel('Template').selectOption('wordpress');
    await form.getByLabel('PHP version').locator('option[value="8.2"]').waitFor({ state: 'detached' });
    expect(await options()).toEqual(['8.4']);
    await form.getByLabel('Template').selectOption('static');
    await form.getByLabel('PHP version').waitFor({ state: 'detached' });
    await form.getByLabel('Template').selectOption('wordpress');
    expect(await form.getByLabel('PHP version').inputValue()).toBe('8.4');
    await form.getByLabel('Site name').fill('press');
    await form.getByLabel('With a database').check();
    await form.getByRole('button', { name: 'Create site' }).click();
    await page.locator('tr[data-site="press"]').waitFor();
    const site = await page.request.get(`${web.url}/api/v1/customers/${customerId}/sites/press`);
    expect(await site.json()).toMatchObject({ template: 'wordpress', phpVersion: '8.4' });

    await page.getByRole('link', { name: 'press', exact: true }).click();
    await page.getByRole('heading', { name: 'Site press' }).waitFor();
    expect(await page.locator('[data-php-version]').textContent()).toBe('8.4');
    const php = page.getByRole('form', { name: 'PHP version' });
    await php.getByLabel('PHP version').waitFor();
    expect(
      await php
        .getByLabel('PHP version')
        .locator('option')
        .evaluateAll((all) => all.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['8.4']);
    await page.close();
  });
});
