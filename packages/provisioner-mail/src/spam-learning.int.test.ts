import { readFileSync } from 'node:fs';
import type { CustomerSnapshot } from '@hostplane/domain';
import { rspamdLogFile, rspamdLogOffset, waitFor } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrateMailDb } from './schema/index.ts';
import { createMailTarget } from './target.ts';
import {
  dovecotHash,
  env,
  imapClient,
  newPassword,
  passContext,
  runTag,
  smtpTransport,
  stackDeps,
  testCustomerId,
  waitForMessage,
} from './test-support/stack.ts';

// Issue 17: a user's own sorting trains Rspamd. Moving a message into Junk (IMAP MOVE) learns it as
// spam, moving one from Junk back to INBOX learns it as ham — Dovecot's IMAPSieve pipes the message to
// the controller. Proved by Rspamd's own statistics (controller /stat), read before and after.

const deps = stackDeps();
const mail = createMailTarget(deps);
const domain = `${runTag}-learn.example`;
const address = `learner@${domain}`;
const password = newPassword();
let customer: CustomerSnapshot;

const statSchema = z.object({ learned: z.number().int() });

/** Rspamd's count of learned messages (controller /stat), kept by the controller as it learns. */
async function learnedCount(): Promise<number> {
  const url = env.RSPAMD_CONTROLLER_URL;
  if (!url) throw new Error('the stack has no RSPAMD_CONTROLLER_URL');
  const res = await fetch(new URL('/stat', url), { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return statSchema.parse(await res.json()).learned;
}

/** The controller's own line for one message: `learned message as spam: <message-id>`. */
function learnedAs(kind: 'spam' | 'ham', messageId: string, since: number): boolean {
  const log = readFileSync(rspamdLogFile()).subarray(since).toString('utf8');
  return log.includes(`learned message as ${kind}: ${messageId}\n`);
}

function waitForLearn(kind: 'spam' | 'ham', messageId: string, since: number) {
  return waitFor(`Rspamd to learn ${messageId} as ${kind}`, () => learnedAs(kind, messageId, since), {
    timeoutMs: 20_000,
    intervalMs: 200,
  });
}

/** Delivers a message of its own words (Bayes needs 11 tokens at least; a repeated text is "already
 * learned"); its Message-ID without the brackets. */
async function deliver(subject: string): Promise<string> {
  const words = Array.from({ length: 40 }, (_, i) => `${subject.replace(/\W/g, '')}word${i}`).join(' ');
  const messageId = `${subject.replace(/\W/g, '-')}@outside.example`;
  await smtpTransport().sendMail({
    from: 'someone@outside.example',
    to: address,
    subject,
    messageId: `<${messageId}>`,
    text: `Hello,\n\n${words}\n\nRegards\n`,
  });
  await waitForMessage(address, password, subject);
  return messageId;
}

async function move(subject: string, from: string, to: string): Promise<void> {
  const client = imapClient(address, password);
  await client.connect();
  try {
    await client.mailboxOpen(from);
    const uids = await client.search({ subject }, { uid: true });
    expect(uids).toHaveLength(1);
    const moved = await client.messageMove((uids as number[]).join(','), to, { uid: true });
    expect(moved).toBeTruthy();
  } finally {
    await client.logout();
  }
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  customer = customerSnapshot({
    id: testCustomerId(7),
    domains: [mailDomain(domain)],
    mailboxes: [
      {
        id: 1,
        address,
        passwordHash: await dovecotHash(password),
        quotaBytes: 50 * 1024 * 1024,
        enabled: true,
        sendLimitPerHour: 100,
      },
    ],
  });
  expect(await mail.run(customer, passContext())).toMatchObject({ status: 'True' });
}, 60_000);

afterAll(async () => {
  if (customer) await mail.run({ ...customer, deleting: true }, passContext());
  await deps.db.close();
});

describe('spam learning from moving mail into and out of Junk', () => {
  it('learns spam when a message is moved from INBOX into Junk', async () => {
    const subject = `${runTag} cheap watches`;
    const id = await deliver(subject);
    const count = await learnedCount();
    const since = rspamdLogOffset();
    await move(subject, 'INBOX', 'Junk');
    await waitForLearn('spam', id, since);
    expect(await learnedCount()).toBe(count + 1);
  });

  it('learns ham when a message is moved from Junk back to INBOX', async () => {
    const subject = `${runTag} quarterly report`;
    const id = await deliver(subject);
    const since = rspamdLogOffset();
    await move(subject, 'INBOX', 'Junk');
    await waitForLearn('spam', id, since);
    const count = await learnedCount();
    await move(subject, 'Junk', 'INBOX');
    await waitForLearn('ham', id, since);
    expect(await learnedCount()).toBe(count + 1);
  });

  it('learns nothing when a message is moved from Junk to Trash', async () => {
    const subject = `${runTag} deleted junk`;
    const id = await deliver(subject);
    const since = rspamdLogOffset();
    await move(subject, 'INBOX', 'Junk');
    await waitForLearn('spam', id, since);
    await move(subject, 'Junk', 'Trash');
    // A later move that does learn shows the pipe has run since; the Trash move taught nothing.
    const marker = `${runTag} marker spam`;
    const markerId = await deliver(marker);
    await move(marker, 'INBOX', 'Junk');
    await waitForLearn('spam', markerId, since);
    expect(learnedAs('ham', id, since)).toBe(false);
  });
});
