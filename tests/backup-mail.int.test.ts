// Mailboxes in customer backups (issue 15): mail sent over SMTP to a customer's mailbox is exported by
// the Backup target (doveadm HTTP API → the stack's S3 store) when Velero picks the backup up; the
// messages are deleted over IMAP; a restore of the backup saves them back and IMAP shows them again.
// Real Dovecot, Postfix, S3 (versitygw) and apiserver; Velero's status is written the way its server
// would (merge patch, field manager velero-server) since no Velero controller runs on the kwok profile.
import { backupJobLedger } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { createBackupTarget, DoveadmMailArchive } from '@hostplane/provisioner-backup';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
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

const NS = 'backup-system';
const FIRST_ID = 740_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-bm.test`;
const mailbox = `info@${domain}`;
const password = newPassword();
const prefix = `customer-mail-${runTag}`;
const store = new S3ObjectStore(objectStoreSettingsFromEnv(env));

let api: TestApi;
let mail: MailCustomer<Awaited<ReturnType<TestApi['app']['inject']>>>;
let admin: KubeHttpClient;
const deps = stackDeps();
const mailTarget = createMailTarget(deps);
let backupTarget: ReturnType<typeof createBackupTarget>;
const call = (method: 'GET' | 'POST', path: string, payload?: object) => mail.call(method, path, payload);
const snapshot = (): Promise<CustomerSnapshot> => mail.snapshot();

async function veleroSays(kind: typeof KINDS.Backup | typeof KINDS.Restore, name: string, status: object) {
  await admin.patchMerge(kind, NS, name, { status }, 'velero-server');
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
  const { DOVEADM_API_URL, DOVEADM_API_KEY } = env;
  if (!DOVEADM_API_URL || !DOVEADM_API_KEY)
    throw new Error('the stack has no DOVEADM_API_URL: stack down/up');
  api = await startTestApi();
  admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  if (!(await admin.get(KINDS.Namespace, null, NS)))
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: {} } });
  backupTarget = createBackupTarget({
    kube: admin,
    ledger: backupJobLedger(api.db),
    mail: new DoveadmMailArchive({ url: DOVEADM_API_URL, apiKey: DOVEADM_API_KEY, store, prefix }),
  });
  mail = await setUpMailCustomer({
    api,
    firstId: FIRST_ID,
    createCustomer: async () =>
      createCustomer(api, (await createPlan(api, { domains: 1, mailboxes: 1, mailboxQuota: '10Mi' })).id),
    domain,
    mailboxes: [{ address: mailbox, password, quota: '5Mi' }],
    runMailTarget: (s) => mailTarget.run(s, passContext()),
    as: 'admin',
  });
}, 60_000);

afterAll(async () => {
  if (mail) {
    await mail.cleanup();
    for (const kind of [KINDS.Schedule, KINDS.Backup, KINDS.Restore])
      for (const o of await admin.list(
        kind,
        NS,
        `customer-id=${mail.id},app.kubernetes.io/managed-by=hostplane`,
      ))
        await admin.delete(kind, NS, o.metadata.name);
  }
  await store
    .delete((await store.list(`${prefix}/`).catch(() => [])).map((o) => o.key))
    .catch(() => undefined);
  await deps.db.close();
  await admin?.close();
  await api?.close();
});

describe('mailboxes in customer backups', () => {
  it('mail sent over SMTP, backed up, deleted over IMAP, restored: IMAP shows it again', async () => {
    const subjects = [`first ${runTag}`, `second ${runTag}`];
    for (const subject of subjects)
      await smtpTransport().sendMail({
        from: 'sender@elsewhere.example',
        to: mailbox,
        subject,
        text: `kept by the backup: ${subject}`,
      });
    for (const subject of subjects) await waitForMessage(mailbox, password, subject);

    const asked = await call('POST', 'backups', { name: 'with-mail' });
    expect(asked.statusCode, asked.body).toBe(201);
    const backup = asked.json().name as string;
    await backupTarget.run(await snapshot(), passContext());
    await veleroSays(KINDS.Backup, backup, { phase: 'InProgress', startTimestamp: '2026-11-28T01:00:00Z' });
    expect(await backupTarget.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
    // The export is in the bucket, and the backup says it holds the mailbox.
    expect((await store.list(`${prefix}/${backup}/`)).map((o) => o.key)).toEqual([
      `${prefix}/${backup}/${mailbox}.json`,
    ]);
    await veleroSays(KINDS.Backup, backup, {
      phase: 'Completed',
      completionTimestamp: '2026-11-28T01:01:00Z',
    });
    await backupTarget.run(await snapshot(), passContext());
    expect((await call('GET', `backups/${backup}`)).json()).toMatchObject({
      phase: 'Completed',
      contents: { sites: [], mailboxes: [mailbox] },
    });

    // The customer deletes its messages over IMAP.
    const client = imapClient(mailbox, password);
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.messageDelete('1:*');
    await client.logout();
    expect(await inboxSubjects()).toEqual([]);

    const restore = await call('POST', 'restores', { backup });
    expect(restore.statusCode, restore.body).toBe(201);
    expect(await backupTarget.run(await snapshot(), passContext())).toMatchObject({ status: 'True' });
    expect(await admin.get(KINDS.Restore, NS, restore.json().name)).not.toBeNull();
    expect(await inboxSubjects()).toEqual(subjects);
    // Nothing more to do: a second pass writes nothing and saves no message twice.
    expect(await backupTarget.run(await snapshot(), passContext())).toMatchObject({ changes: 0 });
    expect(await inboxSubjects()).toEqual(subjects);

    // Velero removes the backup at its TTL: the row turns Deleted and the mail export leaves the bucket.
    await admin.delete(KINDS.Backup, NS, backup);
    await backupTarget.run(await snapshot(), passContext());
    expect((await call('GET', `backups/${backup}`)).json().phase).toBe('Deleted');
    expect(await store.list(`${prefix}/${backup}/`)).toEqual([]);
  });
});
