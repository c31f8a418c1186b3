import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CustomerSnapshot } from '@hostplane/domain';
import { rspamdFilesOfStack } from '@hostplane/localstack/mail-adapters';
import { rspamdLogOffset, waitForRspamdMap } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMailDb } from './schema/index.ts';
import { createMailTarget } from './target.ts';
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
  smtpTransport,
  stackDeps,
  stateDir,
  submissionTransport,
  testCustomerId,
  waitForMessage,
} from './test-support/stack.ts';

// The mail target drives the local stack's real Postfix, Dovecot and Rspamd; everything is checked
// as a mail client would: SMTP in, IMAP out, submission with SASL, DKIM looked up in PowerDNS.

const deps = stackDeps();
const mail = createMailTarget(deps);
const dns = dnsTarget();
const domainA = `${runTag}-a.example`;
const domainB = `${runTag}-b.example`;
const pw = {
  alice: newPassword(),
  bob: newPassword(),
  carol: newPassword(),
  burst: newPassword(),
  gone: newPassword(),
  dave: newPassword(),
};
const addr = (local: keyof typeof pw, domain = domainA) => `${local}@${domain}`;

let customerA: CustomerSnapshot;
let customerB: CustomerSnapshot;

let nextId = 1;
async function mailbox(local: keyof typeof pw, domain = domainA, sendLimitPerHour = 100) {
  return {
    id: nextId++,
    address: addr(local, domain),
    passwordHash: await dovecotHash(pw[local]),
    quotaBytes: 50 * 1024 * 1024,
    enabled: true,
    sendLimitPerHour,
  };
}

async function reconcile(snapshot: CustomerSnapshot) {
  const outcome = await mail.run(snapshot, passContext());
  expect(outcome).toMatchObject({ status: 'True' });
  return outcome;
}

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace();
  customerA = customerSnapshot({
    id: testCustomerId(0),
    domains: [
      mailDomain(domainA, {
        dkim: { ...dkimKey('hp202611'), previousSelector: null, previousPublicKey: null },
      }),
    ],
    mailboxes: await Promise.all([
      mailbox('alice'),
      mailbox('bob'),
      mailbox('carol'),
      mailbox('burst', domainA, 2),
      mailbox('gone'),
    ]),
    aliases: [
      { source: `team@${domainA}`, destinations: [addr('alice'), addr('bob')] },
      { source: `@${domainA}`, destinations: [addr('carol')] },
    ],
  });
  customerB = customerSnapshot({
    id: testCustomerId(1),
    domains: [mailDomain(domainB)],
    mailboxes: [await mailbox('dave', domainB)],
  });
  expect(await dns.run(customerA, passContext())).toMatchObject({ status: 'True' });
  const logOffset = rspamdLogOffset();
  await reconcile(customerA);
  await reconcile(customerB);
  // Rspamd re-reads its file maps (DKIM selectors, send limits) on its own timer: wait until it has.
  const maps = rspamdFilesOfStack(stateDir);
  await waitForRspamdMap(maps.selectorMap, logOffset);
  await waitForRspamdMap(maps.sendLimitsMap!, logOffset);
}, 60_000);

afterAll(async () => {
  for (const snapshot of [customerA, customerB]) {
    if (snapshot) await mail.run({ ...snapshot, deleting: true }, passContext());
  }
  if (customerA) await dns.run({ ...customerA, deleting: true }, passContext());
  await deps.db.close();
});

describe('mail provisioned by the target, as a mail client sees it', () => {
  it('delivers a message sent over SMTP to the mailbox, read over IMAP with its password', async () => {
    const subject = `hello ${runTag}`;
    const info = await smtpTransport().sendMail({
      from: 'sender@example.org',
      to: addr('alice'),
      subject,
      text: 'hi alice',
    });
    expect(info.accepted).toEqual([addr('alice')]);
    expect(await waitForMessage(addr('alice'), pw.alice, subject)).toContain('hi alice');
  });

  it('refuses a wrong password over IMAP and SMTP AUTH', async () => {
    await expect(imapClient(addr('alice'), `${pw.alice}x`).connect()).rejects.toMatchObject({
      authenticationFailed: true,
    });
    await expect(submissionTransport(addr('alice'), `${pw.alice}x`).verify()).rejects.toMatchObject({
      responseCode: 535,
    });
  });

  it('delivers an alias to all its destinations, and the catch-all to its own', async () => {
    const subject = `team ${runTag}`;
    await smtpTransport().sendMail({
      from: 'sender@example.org',
      to: `team@${domainA}`,
      subject,
      text: 'to the team',
    });
    await waitForMessage(addr('alice'), pw.alice, subject);
    await waitForMessage(addr('bob'), pw.bob, subject);
    await smtpTransport().sendMail({
      from: 'sender@example.org',
      to: `nobody-${runTag}@${domainA}`,
      subject: `any ${runTag}`,
      text: 'x',
    });
    await waitForMessage(addr('carol'), pw.carol, `any ${runTag}`);
  });

  it("lets a user submit as its own address, never as another customer's", async () => {
    const transport = submissionTransport(addr('alice'), pw.alice);
    const own = await transport.sendMail({
      from: addr('alice'),
      to: addr('bob'),
      subject: `own ${runTag}`,
      text: 'x',
    });
    expect(own.accepted).toEqual([addr('bob')]);
    const spoofed = transport.sendMail({
      from: addr('dave', domainB),
      to: addr('bob'),
      subject: 'x',
      text: 'x',
    });
    await expect(spoofed).rejects.toMatchObject({ responseCode: 553 });
  });

  it('signs submitted mail with the DKIM key of the row, verified against the TXT in PowerDNS (mailauth)', async () => {
    const subject = `signed ${runTag}`;
    await submissionTransport(addr('alice'), pw.alice).sendMail({
      from: addr('alice'),
      to: addr('bob'),
      subject,
      text: 'signed body',
    });
    const source = await waitForMessage(addr('bob'), pw.bob, subject);
    expect(source).toMatch(/^DKIM-Signature: .*s=hp202611/ms);
    const result = await dkimVerify(Buffer.from(source), { resolver: pdnsResolver() });
    expect(result.results.map((r) => [r.signingDomain, r.selector, r.status.result])).toEqual([
      [domainA, 'hp202611', 'pass'],
    ]);
  });

  it('refuses to relay for an unauthenticated client (554)', async () => {
    const sending = smtpTransport().sendMail({
      from: addr('alice'),
      to: 'carol@outside.example',
      subject: 'x',
      text: 'x',
    });
    await expect(sending).rejects.toMatchObject({
      responseCode: 554,
      response: expect.stringMatching(/Relay access denied/),
    });
  });

  it("holds back a burst beyond the mailbox's send limit", async () => {
    const transport = submissionTransport(addr('burst'), pw.burst);
    const outcomes: string[] = [];
    for (let i = 0; i < 6 && !outcomes.some((o) => o.startsWith('451')); i++) {
      const sending = transport.sendMail({
        from: addr('burst'),
        to: addr('bob'),
        subject: `burst ${i}`,
        text: 'x',
      });
      outcomes.push(
        await sending.then(
          () => 'accepted',
          (err: { response?: string }) => err.response ?? String(err),
        ),
      );
    }
    expect(outcomes.filter((o) => o === 'accepted').length).toBeLessThanOrEqual(2);
    expect(outcomes.at(-1)).toMatch(/^451 4\.7\.1 Ratelimit/);
  });

  it("bounces a deleted mailbox's address (RCPT 550) and removes its maildir", async () => {
    const subject = `before ${runTag}`;
    await smtpTransport().sendMail({ from: 'sender@example.org', to: addr('gone'), subject, text: 'x' });
    await waitForMessage(addr('gone'), pw.gone, subject);
    const id = customerA.mailboxes.find((m) => m.address === addr('gone'))?.id;
    const maildir = path.join(stateDir, 'mail', 'vhosts', domainA, `gone@${id}`);
    expect(existsSync(maildir)).toBe(true);
    // Without the catch-all the address has no home; with it, mail would go to carol.
    customerA = {
      ...customerA,
      mailboxes: customerA.mailboxes.filter((m) => m.address !== addr('gone')),
      aliases: customerA.aliases.filter((a) => !a.source.startsWith('@')),
    };
    // The user row, the catch-all row, the send-limits line and the identity lines of the address.
    expect(await reconcile(customerA)).toMatchObject({ changes: 4 });
    expect(existsSync(maildir)).toBe(false);
    const bounce = smtpTransport().sendMail({
      from: 'sender@example.org',
      to: addr('gone'),
      subject: 'x',
      text: 'x',
    });
    await expect(bounce).rejects.toMatchObject({ responseCode: 550 });
  });
});
