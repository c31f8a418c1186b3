import net from 'node:net';
import type { CustomerSnapshot, MailboxFilters } from '@hostplane/domain';
import { waitFor } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// Issue 17: the panel's autoresponder and forwarding reach Dovecot as Sieve scripts in the mail DB (the
// Sieve dict); checked as mail users see them: SMTP in from another server's sender, IMAP out.

const deps = stackDeps();
const mail = createMailTarget(deps);
const domainA = `${runTag}-sv.example`;
const domainB = `${runTag}-out.example`;
const locals = ['alice', 'bob', 'carol', 'erin', 'fred', 'dave'] as const;
type Local = (typeof locals)[number];
const pw = Object.fromEntries(locals.map((l) => [l, newPassword()])) as Record<Local, string>;
const addr = (local: Local) => `${local}@${local === 'dave' ? domainB : domainA}`;

const none: MailboxFilters = { autoresponder: null, forwarding: null, customSieve: null };
const filters: Partial<Record<Local, MailboxFilters>> = {
  alice: {
    ...none,
    autoresponder: {
      subject: 'Out of office',
      body: 'I am away until Monday.',
      startsAt: '2020-01-01T00:00:00Z',
      endsAt: null,
      intervalDays: 7,
    },
  },
  bob: { ...none, forwarding: { destinations: [addr('carol')], keepCopy: true } },
  erin: { ...none, forwarding: { destinations: [addr('dave')], keepCopy: false } },
  fred: {
    ...none,
    customSieve: 'require "fileinto";\nif header :contains "subject" "invoice" { fileinto "Invoices"; }\n',
  },
};

let customerA: CustomerSnapshot;
let customerB: CustomerSnapshot;

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  let id = 1;
  const mailbox = async (local: Local) => ({
    id: id++,
    address: addr(local),
    passwordHash: await dovecotHash(pw[local]),
    quotaBytes: 50 * 1024 * 1024,
    enabled: true,
    sendLimitPerHour: 100,
    ...(filters[local] ? { filters: filters[local] } : {}),
  });
  customerA = customerSnapshot({
    id: testCustomerId(2),
    domains: [mailDomain(domainA)],
    mailboxes: await Promise.all(['alice', 'bob', 'carol', 'erin', 'fred'].map((l) => mailbox(l as Local))),
  });
  customerB = customerSnapshot({
    id: testCustomerId(3),
    domains: [mailDomain(domainB)],
    mailboxes: [await mailbox('dave')],
  });
  for (const snapshot of [customerA, customerB]) {
    expect(await mail.run(snapshot, passContext())).toMatchObject({ status: 'True' });
  }
}, 60_000);

afterAll(async () => {
  for (const snapshot of [customerA, customerB]) {
    if (snapshot) await mail.run({ ...snapshot, deleting: true }, passContext());
  }
  await deps.db.close();
});

/** Sources of the messages in `folder` whose subject contains `subject`. */
async function messages(local: Local, subject: string, folder = 'INBOX'): Promise<string[]> {
  const client = imapClient(addr(local), pw[local]);
  await client.connect();
  try {
    await client.mailboxOpen(folder);
    const uids = await client.search({ subject }, { uid: true });
    const out: string[] = [];
    for (const uid of Array.isArray(uids) ? uids : []) {
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (message && message.source !== undefined) out.push(message.source.toString('utf8'));
    }
    return out;
  } finally {
    await client.logout();
  }
}

/** ManageSieve (RFC 5804) as a mail client speaks it: each command answered by a line OK/NO/BYE. */
async function manageSieve(commands: string[]): Promise<string[]> {
  const at = env.MANAGESIEVE_ADDR?.lastIndexOf(':') ?? -1;
  if (!env.MANAGESIEVE_ADDR || at < 0) throw new Error('the stack has no MANAGESIEVE_ADDR');
  const socket = net.connect({
    host: env.MANAGESIEVE_ADDR.slice(0, at),
    port: Number(env.MANAGESIEVE_ADDR.slice(at + 1)),
  });
  socket.setEncoding('utf8');
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const m = /^(OK|NO|BYE)\b.*\r\n/m.exec(buffer);
      if (!m) break;
      buffer = buffer.slice(m.index + m[0].length);
      waiting.shift()?.(m[0].trim());
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      socket.once('error', reject);
    });
  const answers: string[] = [await next()]; // the greeting ends with OK
  for (const command of commands) {
    socket.write(command);
    answers.push(await next());
  }
  socket.end();
  return answers;
}

/** As another server would send it: port 25, no authentication. */
function sendFromOutside(from: string, to: string, subject: string) {
  return smtpTransport().sendMail({ from, to, subject, text: `${subject} body` });
}

describe('Sieve rules of the panel, delivered by Dovecot', () => {
  it('a second reconcile writes nothing', async () => {
    const writes = deps.db.stats.writes;
    expect(await mail.run(customerA, passContext())).toMatchObject({ status: 'True', changes: 0 });
    expect(deps.db.stats.writes).toBe(writes);
  });

  it('answers an outside sender exactly once per period, with RFC 3834 headers', async () => {
    const first = `vacation one ${runTag}`;
    await sendFromOutside(addr('dave'), addr('alice'), first);
    await waitForMessage(addr('alice'), pw.alice, first);
    const reply = await waitForMessage(addr('dave'), pw.dave, 'Out of office');
    expect(reply).toMatch(/^Auto-Submitted: auto-replied/im);
    expect(reply).toMatch(new RegExp(`^From: .*${addr('alice')}`, 'im'));
    expect(reply).toContain('I am away until Monday.');
    expect(reply).toMatch(/^In-Reply-To: </im);

    const second = `vacation two ${runTag}`;
    await sendFromOutside(addr('dave'), addr('alice'), second);
    await waitForMessage(addr('alice'), pw.alice, second);
    // Sieve runs during alice's delivery: any reply was queued before this marker was sent.
    const marker = `marker ${runTag}`;
    await sendFromOutside('someone@elsewhere.example', addr('dave'), marker);
    await waitForMessage(addr('dave'), pw.dave, marker);
    expect(await messages('dave', 'Out of office')).toHaveLength(1);
  });

  it('forwards with a local copy: both mailboxes have the message', async () => {
    const subject = `forward copy ${runTag}`;
    await sendFromOutside(addr('dave'), addr('bob'), subject);
    expect(await waitForMessage(addr('carol'), pw.carol, subject)).toContain(`${subject} body`);
    expect(await waitForMessage(addr('bob'), pw.bob, subject)).toContain(`${subject} body`);
  });

  it('forwards without a copy: only the destination has it', async () => {
    const subject = `forward only ${runTag}`;
    await sendFromOutside('someone@elsewhere.example', addr('erin'), subject);
    // The redirect leaves during erin's delivery, so once dave has it erin's delivery is over.
    await waitForMessage(addr('dave'), pw.dave, subject);
    expect(await messages('erin', subject)).toEqual([]);
  });

  it("runs the customer's own Sieve script after the panel's rules", async () => {
    const subject = `invoice ${runTag}`;
    await sendFromOutside('billing@elsewhere.example', addr('fred'), subject);
    const found = await waitFor(`"${subject}" in fred's Invoices`, async () => {
      const inFolder = await messages('fred', subject, 'Invoices');
      return inFolder.length > 0 ? inFolder : undefined;
    });
    expect(found).toHaveLength(1);
    expect(await messages('fred', subject)).toEqual([]);
  });

  it("runs the user's own script uploaded over ManageSieve by a mail client", async () => {
    const script =
      'require "fileinto";\r\nif header :contains "subject" "newsletter" { fileinto "News"; }\r\n';
    const plain = Buffer.from(`\0${addr('carol')}\0${pw.carol}`).toString('base64');
    const answers = await manageSieve([
      `AUTHENTICATE "PLAIN" "${plain}"\r\n`,
      `PUTSCRIPT "mine" {${Buffer.byteLength(script)}+}\r\n${script}\r\n`,
      'SETACTIVE "mine"\r\n',
      'LOGOUT\r\n',
    ]);
    expect(
      answers.slice(0, 4).every((a) => a.startsWith('OK')),
      answers.join(' | '),
    ).toBe(true);
    const subject = `newsletter ${runTag}`;
    await sendFromOutside('news@elsewhere.example', addr('carol'), subject);
    const found = await waitFor(`"${subject}" in carol's News`, async () => {
      const inFolder = await messages('carol', subject, 'News');
      return inFolder.length > 0 ? inFolder : undefined;
    });
    expect(found).toHaveLength(1);
  });

  it('removes a script the panel no longer wants: the mailbox keeps its mail again', async () => {
    customerA = {
      ...customerA,
      mailboxes: customerA.mailboxes.map((m) => (m.address === addr('erin') ? { ...m, filters: none } : m)),
    };
    expect(await mail.run(customerA, passContext())).toMatchObject({ status: 'True', changes: 1 });
    const subject = `kept again ${runTag}`;
    await sendFromOutside('someone@elsewhere.example', addr('erin'), subject);
    await waitForMessage(addr('erin'), pw.erin, subject);
  });
});
