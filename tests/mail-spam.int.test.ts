// Issue 17, spam settings through the API: PUT …/mailboxes/{address}/spam → panel DB → snapshot → Mail
// target → the mailbox's `spam` Sieve script (mail DB) and Rspamd's per-recipient lines (identity map).
// Checked as senders and mail clients see it: a GTUBE message over SMTP is refused or lands in Junk
// according to the recipient's thresholds; allow and block lists take effect.

import { rspamdFilesOfStack } from '@hostplane/localstack/mail-adapters';
import { rspamdLogOffset, waitFor, waitForRspamdMap } from '@hostplane/testing';
import {
  imapClient,
  type MailCustomer,
  newPassword,
  setUpMailCustomer,
  smtpTransport,
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
  stateDir,
} from '../packages/provisioner-mail/src/test-support/stack.ts';

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const FIRST_ID = 710_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-sp.test`;
const lenient = `lenient@${domain}`; // junk from 5, never refused for its score
const strict = `strict@${domain}`; // the defaults: junk from 6, refused from 15
const listy = `listy@${domain}`; // defaults, plus allow and block lists
const password = newPassword();

let api: TestApi;
let mail: MailCustomer<Awaited<ReturnType<TestApi['app']['inject']>>>;
const deps = stackDeps();
const target = createMailTarget(deps);
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object) =>
  mail.call(method, path, payload);

/** The subjects in one folder of a mailbox. */
async function subjects(user: string, folder: string): Promise<string[]> {
  const client = imapClient(user, password);
  await client.connect();
  try {
    await client.mailboxOpen(folder);
    const out: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
    return out;
  } catch (err) {
    if (
      /Mailbox doesn't exist|NONEXISTENT/i.test(
        String((err as Error & { responseText?: string }).responseText ?? err),
      )
    )
      return [];
    throw err;
  } finally {
    await client.logout();
  }
}

function waitInFolder(user: string, folder: string, subject: string) {
  return waitFor(
    `"${subject}" in ${user}'s ${folder}`,
    async () => ((await subjects(user, folder)).includes(subject) ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 300 },
  );
}

/** Sends over the public SMTP port as an outside sender; the server's answer to the message. */
async function send(from: string, to: string[], subject: string, text: string): Promise<string> {
  try {
    const info = await smtpTransport().sendMail({ from, to, subject, text });
    return info.response;
  } catch (err) {
    return String((err as Error & { response?: string }).response ?? (err as Error).message);
  }
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  api = await startTestApi();
  mail = await setUpMailCustomer({
    api,
    firstId: FIRST_ID,
    createCustomer: async () => createCustomer(api, (await createPlan(api, { domains: 2, mailboxes: 5 })).id),
    domain,
    mailboxes: [lenient, strict, listy].map((address) => ({ address, password, quota: '5Mi' })),
    runMailTarget: (snapshot) => target.run(snapshot, passContext()),
    // The spam settings below go in with the mailboxes: one pass, one re-read of the identity map.
    reconcile: false,
  });
  const settings: [string, object][] = [
    [lenient, { junkScore: 5, rejectScore: null }],
    [listy, { allow: ['friend@outside.example'], block: ['@spammer.example'] }],
  ];
  for (const [address, body] of settings) {
    const res = await call('PUT', `mailboxes/${address}/spam`, body);
    expect(res.statusCode, res.body).toBe(200);
  }
  const logOffset = rspamdLogOffset();
  await mail.reconcile();
  await waitForRspamdMap(rspamdFilesOfStack(stateDir).identityMap!, logOffset);
}, 90_000);

afterAll(async () => {
  await mail?.cleanup();
  await deps.db.close();
  await api?.close();
});

describe('spam settings through the API', () => {
  it('shows the settings on the mailbox, defaults where none were set', async () => {
    const res = await call('GET', `mailboxes/${strict}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().spam).toEqual({ junkScore: 6, rejectScore: 15, allow: [], block: [] });
    const set = await call('GET', `mailboxes/${lenient}`);
    expect(set.json().spam).toEqual({ junkScore: 5, rejectScore: null, allow: [], block: [] });
  });

  it('refuses bad settings with 422 naming the field, and changes nothing', async () => {
    for (const [body, path] of [
      [{ junkScore: 10, rejectScore: 8 }, 'rejectScore'],
      [{ allow: ['not an address'] }, 'allow.0'],
      [{ allow: ['@x.example'], block: ['@x.example'] }, 'block'],
      [{ junkScore: -1 }, 'junkScore'],
    ] as const) {
      const res = await call('PUT', `mailboxes/${strict}/spam`, body);
      expect(res.statusCode, res.body).toBe(422);
      expect(JSON.stringify(res.json())).toContain(path);
    }
    expect((await call('GET', `mailboxes/${strict}`)).json().spam.rejectScore).toBe(15);
  });

  it('a second reconcile writes nothing', async () => {
    expect(await target.run(await mail.snapshot(), passContext())).toMatchObject({
      status: 'True',
      changes: 0,
    });
  });
});

describe('a GTUBE message, judged by each mailbox’s thresholds', () => {
  it('is refused at SMTP time for a mailbox with the default reject score', async () => {
    const answer = await send('someone@outside.example', [strict], `gtube-strict ${runTag}`, GTUBE);
    expect(answer).toMatch(/^5\d\d/);
  });

  it('lands in Junk, not the inbox, of a mailbox that never refuses', async () => {
    const subject = `gtube-lenient ${runTag}`;
    expect(await send('someone@outside.example', [lenient], subject, GTUBE)).toMatch(/^250/);
    await waitInFolder(lenient, 'Junk', subject);
    expect(await subjects(lenient, 'INBOX')).not.toContain(subject);
  });

  it('to both, is taken (one recipient wants it) and filed into Junk for each', async () => {
    const subject = `gtube-both ${runTag}`;
    expect(await send('someone@outside.example', [lenient, strict], subject, GTUBE)).toMatch(/^250/);
    await waitInFolder(lenient, 'Junk', subject);
    await waitInFolder(strict, 'Junk', subject);
    expect(await subjects(strict, 'INBOX')).not.toContain(subject);
  });

  it('from an allowed sender reaches the inbox', async () => {
    const subject = `gtube-friend ${runTag}`;
    expect(await send('friend@outside.example', [listy], subject, GTUBE)).toMatch(/^250/);
    await waitInFolder(listy, 'INBOX', subject);
    expect(await subjects(listy, 'Junk')).not.toContain(subject);
  });

  it('a harmless message from a blocked domain is refused, from others delivered', async () => {
    const blocked = await send('bulk@spammer.example', [listy], `blocked ${runTag}`, 'Hello there.');
    expect(blocked).toMatch(/^5\d\d/);
    const subject = `harmless ${runTag}`;
    expect(await send('someone@outside.example', [listy], subject, 'Hello there.')).toMatch(/^250/);
    await waitInFolder(listy, 'INBOX', subject);
  });
});
