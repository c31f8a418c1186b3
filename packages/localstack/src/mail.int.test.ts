import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadStackEnv, rspamdLogOffset, stackStateDir, waitFor, waitForRspamdMap } from '@hostplane/testing';
import { hash } from '@node-rs/argon2';
import { ImapFlow } from 'imapflow';
import mysql from 'mysql2/promise';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The local stack's mail path as a mail client sees it: rows in the mail database, SMTP into
// Postfix (through Rspamd's milter), LMTP to Dovecot, IMAP out; SASL on submission via Dovecot.

const env = loadStackEnv();
const [smtpHost, smtpPort] = hostPort(env.SMTP_ADDR);
const [submissionHost, submissionPort] = hostPort(env.SUBMISSION_ADDR);
const [imapHost, imapPort] = hostPort(env.IMAP_ADDR);

const domain = `t${randomBytes(4).toString('hex')}.hostplane.test`;
const address = `alice@${domain}`;
const password = `pw-${randomBytes(9).toString('base64url')}`;
// The stack's certificate is self-signed; these tests are about routing and auth, not PKI.
const tls = { rejectUnauthorized: false };

function hostPort(value: string): [string, number] {
  const at = value.lastIndexOf(':');
  return [value.slice(0, at), Number(value.slice(at + 1))];
}

/** An ARGON2ID hash with Dovecot's scheme prefix (@node-rs/argon2's defaults: argon2id, m=19 MiB, t=2). */
async function dovecotArgon2id(plain: string): Promise<string> {
  return `{ARGON2ID}${await hash(plain)}`;
}

function imapClient(user: string, pass: string): ImapFlow {
  return new ImapFlow({
    host: imapHost,
    port: imapPort,
    secure: false,
    auth: { user, pass },
    tls,
    logger: false,
  });
}

/** Polls INBOX until a message with `subject` is there (LMTP delivery is asynchronous to SMTP). */
function waitForMessage(subject: string, timeoutMs = 30_000) {
  return waitFor(
    `a message "${subject}" in ${address}'s INBOX`,
    async () => {
      const client = imapClient(address, password);
      await client.connect();
      try {
        await client.mailboxOpen('INBOX');
        const uids = await client.search({ subject }, { uid: true });
        const uid = Array.isArray(uids) ? uids[0] : undefined;
        if (uid === undefined) return undefined;
        return (
          (await client.fetchOne(String(uid), { source: true, envelope: true }, { uid: true })) || undefined
        );
      } finally {
        await client.logout();
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
}

describe('mail on the local stack', () => {
  let db: mysql.Connection;

  // Rspamd lets a login send only with its identity lines (login and domain → customer), which the
  // mail provisioner maintains; this test writes the rows by hand, so it adds the lines too.
  const identityMap = path.join(stackStateDir(), 'mail', 'rspamd', 'identities.map');
  const customerId = 2_000_000 + (process.pid % 50_000);
  const identityLines = [`domain:${domain} ${customerId}`, `login:${address} ${customerId}`];

  beforeAll(async () => {
    db = await mysql.createConnection(env.MAIL_DATABASE_URL);
    const [result] = await db.execute<mysql.ResultSetHeader>(
      'INSERT INTO virtual_domains (name, customer_id) VALUES (?, ?)',
      [domain, customerId],
    );
    appendFileSync(identityMap, `${identityLines.join('\n')}\n`);
    await db.execute(
      'INSERT INTO virtual_users (domain_id, email, password, quota_bytes, maildir) VALUES (?, ?, ?, ?, ?)',
      [result.insertId, address, await dovecotArgon2id(password), 10 * 1024 * 1024, `${domain}/alice/`],
    );
  });

  afterAll(async () => {
    const kept = readFileSync(identityMap, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !identityLines.includes(line));
    writeFileSync(identityMap, kept.length > 0 ? `${kept.join('\n')}\n` : '');
    await db?.execute('DELETE FROM virtual_domains WHERE name = ?', [domain]);
    await db?.end();
  });

  it('delivers a message sent to the SMTP port over LMTP to Dovecot, readable over IMAP', async () => {
    const subject = `delivery ${randomBytes(6).toString('hex')}`;
    const transport = nodemailer.createTransport({
      host: smtpHost,
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const info = await transport.sendMail({
      from: 'bob@example.org',
      to: address,
      subject,
      text: 'hello alice',
    });
    expect(info.accepted).toEqual([address]);

    const message = await waitForMessage(subject);
    const source = message.source?.toString('utf8') ?? '';
    expect(message.envelope?.subject).toBe(subject);
    expect(source).toContain('hello alice');
    // Passed through Rspamd's milter on the way in.
    expect(source).toMatch(/^X-Rspamd-Queue-Id: /m);
  });

  it('refuses a wrong password over IMAP', async () => {
    const client = imapClient(address, `${password}-wrong`);
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });

  it('refuses to relay for an unauthenticated client, loopback included', async () => {
    const transport = nodemailer.createTransport({
      host: smtpHost,
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const sending = transport.sendMail({
      from: 'bob@example.org',
      to: 'carol@outside.example',
      subject: 'x',
      text: 'x',
    });
    await expect(sending).rejects.toMatchObject({
      responseCode: 554,
      response: expect.stringMatching(/Relay access denied/),
    });
  });

  it("lets an authenticated user submit as its own customer's addresses only", async () => {
    const transport = nodemailer.createTransport({
      host: submissionHost,
      port: submissionPort,
      secure: false,
      auth: { user: address, pass: password },
      tls,
    });
    const subject = `submission ${randomBytes(6).toString('hex')}`;
    const own = await transport.sendMail({ from: address, to: address, subject, text: 'to myself' });
    expect(own.accepted).toEqual([address]);
    await waitForMessage(subject);

    // Any address of the login's own customer's domains would do; one outside them never.
    const spoofed = transport.sendMail({
      from: `mallory@other-${domain}`,
      to: address,
      subject: 'x',
      text: 'x',
    });
    await expect(spoofed).rejects.toMatchObject({ responseCode: 553 });
  });

  it('refuses SMTP AUTH with a wrong password', async () => {
    const transport = nodemailer.createTransport({
      host: submissionHost,
      port: submissionPort,
      secure: false,
      auth: { user: address, pass: `${password}-wrong` },
      tls,
    });
    await expect(transport.verify()).rejects.toMatchObject({ responseCode: 535 });
  });

  it("enforces the quota of the user's row: IMAP reports it, LMTP refuses what does not fit", async () => {
    const client = imapClient(address, password);
    await client.connect();
    try {
      const quota = await client.getQuota('INBOX');
      expect(quota ? quota.storage?.limit : undefined).toBe(10 * 1024 * 1024);
    } finally {
      await client.logout();
    }

    await db.execute('UPDATE virtual_users SET quota_bytes = ? WHERE email = ?', [4096, address]);
    const transport = nodemailer.createTransport({
      host: smtpHost,
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const tag = randomBytes(6).toString('hex');
    await transport.sendMail({
      from: 'bob@example.org',
      to: address,
      subject: `big ${tag}`,
      text: 'x'.repeat(20_000),
    });
    await transport.sendMail({ from: 'bob@example.org', to: address, subject: `small ${tag}`, text: 'fits' });
    // The small one arriving shows the queue has moved past the big one, which Dovecot refused.
    await waitForMessage(`small ${tag}`);
    const reader = imapClient(address, password);
    await reader.connect();
    try {
      await reader.mailboxOpen('INBOX');
      expect(await reader.search({ subject: `big ${tag}` }, { uid: true })).toEqual([]);
    } finally {
      await reader.logout();
      await db.execute('UPDATE virtual_users SET quota_bytes = ? WHERE email = ?', [
        10 * 1024 * 1024,
        address,
      ]);
    }
  });

  // Last: it spends alice's sending budget. The map is the one the mail provisioner maintains
  // (virtual_users.send_limit_per_hour); the test adds a line and puts the file back.
  it("holds back a burst beyond the user's send limit (Rspamd ratelimit)", async () => {
    const limitsMap = path.join(stackStateDir(), 'mail', 'rspamd', 'send_limits.map');
    const original = readFileSync(limitsMap, 'utf8');
    const logOffset = rspamdLogOffset();
    writeFileSync(limitsMap, `${original}${address} 2\n`);
    try {
      await waitForRspamdMap(limitsMap, logOffset); // Rspamd re-reads file maps on its own timer
      const transport = nodemailer.createTransport({
        host: submissionHost,
        port: submissionPort,
        secure: false,
        auth: { user: address, pass: password },
        tls,
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 6 && !outcomes.some((o) => o.startsWith('451')); i++) {
        const sending = transport.sendMail({ from: address, to: address, subject: `burst ${i}`, text: 'x' });
        outcomes.push(
          await sending.then(
            () => 'accepted',
            (err: { response?: string }) => err.response ?? String(err),
          ),
        );
      }
      expect(outcomes.filter((o) => o === 'accepted').length).toBeLessThanOrEqual(2);
      expect(outcomes.at(-1)).toMatch(/^451 4\.7\.1 Ratelimit/);
    } finally {
      writeFileSync(limitsMap, original);
    }
  });
});
