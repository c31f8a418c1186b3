import type { CustomerSnapshot, MailboxRow } from '@hostplane/domain';
import { rspamdFilesOfStack } from '@hostplane/localstack/mail-adapters';
import { rspamdLogOffset, waitForRspamdMap } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMailDb } from './schema/index.ts';
import { createMailTarget } from './target.ts';
import { submitRaw } from './test-support/smtp-session.ts';
import {
  dkimKey,
  dnsTarget,
  dovecotHash,
  ensureMailNamespace,
  env,
  imapClient,
  newPassword,
  passContext,
  pdnsResolver,
  runTag,
  stackDeps,
  stateDir,
  testCustomerId,
  waitForMessage,
} from './test-support/stack.ts';

// Issue 9, mail identity: who may send as whom, who signs for which domain, whose mail a new mailbox
// sees, the internal submission listener, suspended customers and forwarding limits. Everything is
// checked as a mail client sees it: SMTP/submission in, IMAP out, DKIM verified against PowerDNS.

const deps = stackDeps();
const mail = createMailTarget(deps);
const dns = dnsTarget();
const x1 = `${runTag}-x1.example`;
const x2 = `${runTag}-x2.example`;
const y = `${runTag}-y.example`;
const z = `${runTag}-z.example`;
const pw = {
  alice: newPassword(),
  bob: newPassword(),
  dave: newPassword(),
  zed: newPassword(),
  reuse: newPassword(),
  reuse2: newPassword(),
};
type Who = keyof typeof pw;
let nextId = 9_000;

async function mailbox(local: Who, domain: string, sendLimitPerHour = 100): Promise<MailboxRow> {
  return {
    id: nextId++,
    address: `${local}@${domain}`,
    passwordHash: await dovecotHash(pw[local]),
    quotaBytes: 50 * 1024 * 1024,
    enabled: true,
    sendLimitPerHour,
  };
}

const dkimOf = (selector: string) => ({
  ...dkimKey(selector),
  previousSelector: null,
  previousPublicKey: null,
});

let one: CustomerSnapshot;
let two: CustomerSnapshot;
let suspended: CustomerSnapshot;

async function reconcile(snapshot: CustomerSnapshot, target = mail) {
  const outcome = await target.run(snapshot, passContext());
  expect(outcome).toMatchObject({ status: 'True' });
  return outcome;
}

const alice = () => ({ user: `alice@${x1}`, pass: pw.alice });

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  one = customerSnapshot({
    id: testCustomerId(0),
    domains: [mailDomain(x1, { dkim: dkimOf('hp202611') }), mailDomain(x2, { dkim: dkimOf('hp202611') })],
    mailboxes: await Promise.all([
      mailbox('alice', x1),
      mailbox('bob', x1, 3),
      mailbox('reuse', x1),
      mailbox('reuse2', x1),
    ]),
    aliases: [{ source: `fwd@${x1}`, destinations: [`someone@${runTag}-outside.example`] }],
  });
  two = customerSnapshot({
    id: testCustomerId(1),
    domains: [mailDomain(y, { dkim: dkimOf('hp202611') })],
    mailboxes: [await mailbox('dave', y)],
  });
  suspended = customerSnapshot({
    id: testCustomerId(2),
    suspended: true,
    domains: [mailDomain(z)],
    mailboxes: [await mailbox('zed', z)],
  });
  for (const snapshot of [one, two])
    expect(await dns.run(snapshot, passContext())).toMatchObject({ status: 'True' });
  const logOffset = rspamdLogOffset();
  for (const snapshot of [one, two, suspended]) await reconcile(snapshot);
  // Rspamd re-reads its file maps (DKIM selectors, identities, limits) on its own timer: wait until it has.
  const maps = rspamdFilesOfStack(stateDir);
  for (const map of [maps.selectorMap, maps.identityMap!, maps.sendLimitsMap!])
    await waitForRspamdMap(map, logOffset);
}, 90_000);

afterAll(async () => {
  for (const snapshot of [one, two, suspended]) {
    if (snapshot) await mail.run({ ...snapshot, deleting: true }, passContext());
  }
  for (const snapshot of [one, two])
    if (snapshot) await dns.run({ ...snapshot, deleting: true }, passContext());
  await deps.db.close();
});

describe('an authenticated user sends only as its customer', () => {
  it("accepts any address of the customer's own domains, envelope and header alike", async () => {
    for (const from of [`alice@${x1}`, `info@${x2}`]) {
      const reply = await submitRaw({
        addr: env.SUBMISSION_ADDR,
        auth: alice(),
        mailFrom: from,
        rcptTo: `bob@${x1}`,
        headerFrom: from,
        subject: `own ${from} ${runTag}`,
      });
      expect(reply, from).toMatchObject({ code: 250, stage: 'message' });
    }
  });

  it("refuses another customer's address as envelope sender (553 at RCPT)", async () => {
    const reply = await submitRaw({
      addr: env.SUBMISSION_ADDR,
      auth: alice(),
      mailFrom: `dave@${y}`,
      rcptTo: `bob@${x1}`,
      headerFrom: `dave@${y}`,
      subject: `spoof envelope ${runTag}`,
    });
    expect(reply).toMatchObject({ code: 553 });
  });

  it.each([
    ['an own envelope sender', () => `alice@${x1}`],
    ['an empty envelope sender', () => ''],
  ])("refuses another customer's header From under %s", async (_case, mailFrom) => {
    const reply = await submitRaw({
      addr: env.SUBMISSION_ADDR,
      auth: alice(),
      mailFrom: mailFrom(),
      rcptTo: `bob@${x1}`,
      headerFrom: `dave@${y}`,
      subject: `spoof header ${mailFrom() || 'null'} ${runTag}`,
    });
    expect(reply.code).toBeGreaterThanOrEqual(500);
    expect(reply.stage).toBe('message');
  });

  it("never carries a DKIM signature of a domain the login's customer does not own", async () => {
    const variants = [
      { mailFrom: `alice@${x1}`, headerFrom: `alice@${x1}` },
      { mailFrom: '', headerFrom: `alice@${x1}` },
      { mailFrom: '', headerFrom: `dave@${y}` },
      { mailFrom: `alice@${x1}`, headerFrom: `dave@${y}` },
      { mailFrom: `info@${x2}`, headerFrom: `info@${x2}` },
    ];
    const delivered: string[] = [];
    for (const [i, variant] of variants.entries()) {
      const subject = `dkim ${i} ${runTag}`;
      const reply = await submitRaw({
        addr: env.SUBMISSION_ADDR,
        auth: alice(),
        rcptTo: `bob@${x1}`,
        subject,
        ...variant,
      });
      if (reply.code === 250) delivered.push(subject);
    }
    const signers = new Map<string, string[]>();
    for (const subject of delivered) {
      const source = await waitForMessage(`bob@${x1}`, pw.bob, subject);
      const result = await dkimVerify(Buffer.from(source), { resolver: pdnsResolver() });
      signers.set(
        subject,
        result.results.filter((r) => r.status.result === 'pass').map((r) => r.signingDomain),
      );
    }
    for (const [subject, domains] of signers) {
      for (const domain of domains) expect([x1, x2], `${subject} signed by ${domain}`).toContain(domain);
    }
    // The own ones go through, signed by their own domain.
    expect(delivered).toEqual(expect.arrayContaining([`dkim 0 ${runTag}`, `dkim 4 ${runTag}`]));
    expect(signers.get(`dkim 0 ${runTag}`)).toEqual([x1]);
    expect(signers.get(`dkim 4 ${runTag}`)).toEqual([x2]);
  });
});

describe('suspended customers and forwarding', () => {
  it.each([
    ['its own envelope sender', `zed@${z}`],
    ['an empty envelope sender', ''],
  ])("refuses a suspended customer's mailbox with %s", async (_case, mailFrom) => {
    const reply = await submitRaw({
      addr: env.SUBMISSION_ADDR,
      auth: { user: `zed@${z}`, pass: pw.zed },
      mailFrom,
      rcptTo: `bob@${x1}`,
      headerFrom: `zed@${z}`,
      subject: `suspended ${mailFrom || 'null'} ${runTag}`,
    });
    expect(reply.code).toBeGreaterThanOrEqual(500);
  });

  it("refuses a suspended customer's IMAP login, and its mailbox still receives (issue 17)", async () => {
    const client = imapClient(`zed@${z}`, pw.zed);
    await expect(client.connect()).rejects.toThrow();
    const reply = await submitRaw({
      addr: env.SMTP_ADDR,
      mailFrom: `sender@${runTag}-elsewhere.example`,
      rcptTo: `zed@${z}`,
      headerFrom: `sender@${runTag}-elsewhere.example`,
      subject: `to suspended ${runTag}`,
    });
    expect(reply.code).toBe(250);
  });

  it('holds back a burst of mail forwarded by an alias, like submission', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8 && !codes.includes(451); i++) {
      const reply = await submitRaw({
        addr: env.SMTP_ADDR,
        mailFrom: `sender${i}@${runTag}-elsewhere.example`,
        rcptTo: `fwd@${x1}`,
        headerFrom: `sender${i}@${runTag}-elsewhere.example`,
        subject: `forward ${i} ${runTag}`,
      });
      codes.push(reply.code);
    }
    expect(codes.filter((c) => c === 250).length).toBeLessThanOrEqual(3);
    expect(codes.at(-1)).toBe(451);
  });
});

describe("a new mailbox never sees a previous owner's mail", () => {
  async function inboxCount(user: string, pass: string): Promise<number> {
    const client = imapClient(user, pass);
    await client.connect();
    try {
      return (await client.mailboxOpen('INBOX')).exists;
    } finally {
      await client.logout();
    }
  }

  async function deliver(to: string, pass: string) {
    const subject = `to ${to} ${runTag} ${nextId}`;
    const reply = await submitRaw({
      addr: env.SMTP_ADDR,
      mailFrom: `sender@${runTag}-elsewhere.example`,
      rcptTo: to,
      headerFrom: `sender@${runTag}-elsewhere.example`,
      subject,
    });
    expect(reply.code).toBe(250);
    await waitForMessage(to, pass, subject);
  }

  it('deleted and created again between two passes: an empty INBOX', async () => {
    const address = `reuse@${x1}`;
    await deliver(address, pw.reuse);
    pw.reuse = newPassword();
    const fresh = await mailbox('reuse', x1);
    one = { ...one, mailboxes: one.mailboxes.map((m) => (m.address === address ? fresh : m)) };
    await reconcile(one);
    expect(await inboxCount(address, pw.reuse)).toBe(0);
  });

  it('deleted, then created again, with no remover at hand (the cluster before its Job runs)', async () => {
    const address = `reuse2@${x1}`;
    await deliver(address, pw.reuse2);
    const noRemover = createMailTarget({ ...deps, maildirs: null });
    one = { ...one, mailboxes: one.mailboxes.filter((m) => m.address !== address) };
    await reconcile(one, noRemover);
    pw.reuse2 = newPassword();
    one = { ...one, mailboxes: [...one.mailboxes, await mailbox('reuse2', x1)] };
    await reconcile(one, noRemover);
    expect(await inboxCount(address, pw.reuse2)).toBe(0);
  });
});

describe('the internal submission listener for tenant sites', () => {
  const internal = () => {
    const addr = env.INTERNAL_SUBMISSION_ADDR;
    if (!addr) throw new Error('the stack has no INTERNAL_SUBMISSION_ADDR');
    return addr;
  };

  it('accepts an authenticated user and delivers', async () => {
    const subject = `internal ${runTag}`;
    const reply = await submitRaw({
      addr: internal(),
      auth: alice(),
      mailFrom: `alice@${x1}`,
      rcptTo: `bob@${x1}`,
      headerFrom: `alice@${x1}`,
      subject,
    });
    expect(reply).toMatchObject({ code: 250, stage: 'message' });
    await waitForMessage(`bob@${x1}`, pw.bob, subject);
  });

  it('refuses an unauthenticated client, for relaying and for local recipients alike', async () => {
    for (const rcptTo of [`someone@${runTag}-outside.example`, `bob@${x1}`]) {
      const reply = await submitRaw({
        addr: internal(),
        mailFrom: `alice@${x1}`,
        rcptTo,
        headerFrom: `alice@${x1}`,
        subject: `unauthenticated ${runTag}`,
      });
      expect(reply.code, rcptTo).toBeGreaterThanOrEqual(500);
    }
  });

  it('does not trust a PROXY header: the real client address is what Postfix records', async () => {
    const subject = `proxy ${runTag}`;
    const reply = await submitRaw({
      addr: internal(),
      before: 'PROXY TCP4 203.0.113.77 192.0.2.1 40000 587',
      auth: alice(),
      mailFrom: `alice@${x1}`,
      rcptTo: `bob@${x1}`,
      headerFrom: `alice@${x1}`,
      subject,
    });
    expect(reply).toMatchObject({ code: 250 });
    const source = await waitForMessage(`bob@${x1}`, pw.bob, subject);
    expect(source).not.toContain('203.0.113.77');
  });
});
