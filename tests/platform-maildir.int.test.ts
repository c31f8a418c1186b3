// The Maildir volume in platform backups (issue 15): `hostplane backup-platform` with MAILDIR_ROOT
// archives the Maildirs into the stack's S3 store beside (or, as the production CronJob beside Dovecot
// does, without) the database dumps; the messages are deleted over IMAP; `hostplane restore-platform
// --only maildir` brings the files back and IMAP shows the same messages. Real Postfix, Dovecot and S3.
// MAILDIR_ROOT is this test's domain folder of the stack's Maildir root, so that a restore never
// touches the mailboxes of suites running beside it (production archives the whole volume).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCustomerSnapshot } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { repoRoot } from '@hostplane/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createCustomer,
  createPlan,
  startTestApi,
  type TestApi,
  type TestCustomer,
} from '../apps/api/src/testing/harness.ts';
import { migrateMailDb } from '../packages/provisioner-mail/src/schema/index.ts';
import { createMailTarget } from '../packages/provisioner-mail/src/target.ts';
import {
  ensureMailNamespace,
  env,
  imapClient,
  newPassword,
  passContext,
  runTag,
  smtpTransport,
  stackDeps,
  stateDir,
  waitForMessage,
} from '../packages/provisioner-mail/src/test-support/stack.ts';

const run = promisify(execFile);
const FIRST_ID = 780_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-pm.test`;
const mailbox = `info@${domain}`;
const password = newPassword();
const prefix = `platform-maildir-${runTag}`;
const maildirRoot = path.join(stateDir, 'mail', 'vhosts', domain);
const store = new S3ObjectStore(objectStoreSettingsFromEnv(env));

let api: TestApi;
let c: TestCustomer;
const deps = stackDeps();
const mailTarget = createMailTarget(deps);
const call = (method: 'POST', p: string, payload: object) =>
  api.app.inject({
    method,
    url: `/api/v1/customers/${c.id}/${p}`,
    headers: bearer(api.adminToken),
    payload,
  });

async function snapshot(): Promise<CustomerSnapshot> {
  const s = await loadCustomerSnapshot(api.db, c.id);
  if (!s) throw new Error('customer vanished');
  return s;
}

/** The CLI as the CronJob beside Dovecot runs it: the bucket and MAILDIR_ROOT, no database URL. */
async function hostplane(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['apps/cli/bin/hostplane.js', ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      MAILDIR_ROOT: maildirRoot,
      S3_ENDPOINT: env.S3_ENDPOINT,
      S3_ACCESS_KEY: env.S3_ACCESS_KEY,
      S3_SECRET_KEY: env.S3_SECRET_KEY,
      S3_BUCKET: env.S3_BUCKET,
      LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
    },
  });
  return stdout.trim();
}

async function inboxSubjects(): Promise<string[]> {
  const client = imapClient(mailbox, password);
  await client.connect();
  const subjects: string[] = [];
  try {
    const status = await client.status('INBOX', { messages: true });
    const count = status === false ? 0 : (status.messages ?? 0);
    if (count > 0) {
      await client.mailboxOpen('INBOX', { readOnly: true });
      for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
    }
  } finally {
    await client.logout();
  }
  return subjects.sort();
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  api = await startTestApi();
  await sql`alter table customers alter column id restart with ${sql.lit(FIRST_ID)}`.execute(api.db);
  c = await createCustomer(
    api,
    (await createPlan(api, { domains: 1, mailboxes: 1, mailboxQuota: '10Mi' })).id,
  );
  expect((await call('POST', 'domains', { name: domain, mail: true })).statusCode).toBe(201);
  expect((await call('POST', `domains/${domain}/verify`, { method: 'admin' })).statusCode).toBe(200);
  const created = await call('POST', 'mailboxes', { address: mailbox, password, quota: '5Mi' });
  expect(created.statusCode, created.body).toBe(201);
  expect(await mailTarget.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
}, 60_000);

afterAll(async () => {
  if (c && api) {
    const s = await loadCustomerSnapshot(api.db, c.id);
    if (s) await mailTarget.run({ ...s, deleting: true }, passContext());
  }
  await store
    .delete((await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key))
    .catch(() => undefined);
  await deps.db.close();
  await api?.close();
});

describe('the Maildir volume in platform backups', () => {
  it('backup-platform archives the Maildirs; restore-platform brings deleted messages back to IMAP', async () => {
    const subjects = [`one ${runTag}`, `two ${runTag}`];
    for (const subject of subjects)
      await smtpTransport().sendMail({
        from: 'sender@elsewhere.example',
        to: mailbox,
        subject,
        text: `kept by the platform backup: ${subject}`,
      });
    for (const subject of subjects) await waitForMessage(mailbox, password, subject);

    const id = await hostplane('backup-platform', '--prefix', prefix, '--retention-days', '7');
    expect(id).toMatch(/^\d{8}T\d{6}Z$/);
    const objects = (await store.list(`${prefix}/${id}/`)).map((o) => [o.key.split('/').at(-1), o.size > 0]);
    expect(objects).toEqual([
      ['maildir.tar.gz', true],
      ['manifest.json', true],
    ]);

    const client = imapClient(mailbox, password);
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.messageDelete('1:*');
    await client.logout();
    expect(await inboxSubjects()).toEqual([]);

    await hostplane('restore-platform', '--prefix', prefix, '--only', 'maildir', '--yes');
    expect(await inboxSubjects()).toEqual(subjects);
  });
});
