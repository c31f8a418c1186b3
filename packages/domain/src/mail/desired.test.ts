import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { describe, expect, it } from 'vitest';
import { desiredMail, sieveScriptId } from './desired.ts';
import { renderSpamSieve } from './spam.ts';

let nextId = 1;
const mailbox = (address: string, over = {}) => ({
  id: nextId++,
  address,
  passwordHash: '{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$abc$def',
  quotaBytes: 1024,
  enabled: true,
  sendLimitPerHour: 50,
  ...over,
});

describe('desiredMail and domain ownership', () => {
  it('writes no mail domain, mailbox or alias row for an unverified domain', () => {
    const snapshot = customerSnapshot({
      domains: [mailDomain('gmail.example', { verified: false }), mailDomain('own.example')],
      mailboxes: [mailbox('victim@gmail.example'), mailbox('me@own.example')],
      aliases: [{ source: '@gmail.example', destinations: ['me@own.example'] }],
    });
    const desired = desiredMail(snapshot);
    expect(desired.rows.domains).toEqual(['own.example']);
    expect(desired.rows.users.map((u) => u.email)).toEqual(['me@own.example']);
    expect(desired.rows.aliases).toEqual([]);
    expect(desired.awaitingVerification).toEqual(['gmail.example']);
    expect(desired.issues).toEqual([]);
  });

  it('lets a subdomain go live under a verified parent of the same customer', () => {
    const snapshot = customerSnapshot({
      domains: [mailDomain('own.example'), mailDomain('lists.own.example', { verified: false })],
    });
    expect(desiredMail(snapshot).rows.domains).toEqual(['lists.own.example', 'own.example']);
  });
});

describe('desiredMail', () => {
  it('lists mail domains, users with their maildir and one alias row per destination, sorted', () => {
    const snapshot = customerSnapshot({
      domains: [mailDomain('b.example'), mailDomain('a.example'), mailDomain('web.example', { mail: false })],
      suspended: true,
      mailboxes: [mailbox('Zed@A.example', { id: 7 }), mailbox('amy@b.example', { id: 8, enabled: false })],
      aliases: [
        { source: 'info@a.example', destinations: ['zed@a.example', 'Out@Elsewhere.org', 'zed@a.example'] },
        { source: '@b.example', destinations: ['amy@b.example'] },
      ],
    });
    expect(desiredMail(snapshot)).toEqual({
      customerDomains: ['a.example', 'b.example', 'web.example'],
      issues: [],
      awaitingVerification: [],
      rows: {
        domains: ['a.example', 'b.example'],
        users: [
          expect.objectContaining({
            mailboxId: 8,
            email: 'amy@b.example',
            maildir: 'b.example/amy@8/',
            enabled: false,
            sendEnabled: false,
          }),
          expect.objectContaining({
            mailboxId: 7,
            email: 'zed@a.example',
            domain: 'a.example',
            maildir: 'a.example/zed@7/',
            sendEnabled: false,
          }),
        ],
        aliases: [
          { domain: 'b.example', source: '@b.example', destination: 'amy@b.example' },
          { domain: 'a.example', source: 'info@a.example', destination: 'out@elsewhere.org' },
          { domain: 'a.example', source: 'info@a.example', destination: 'zed@a.example' },
        ],
        // Every mailbox files spam into Junk (issue 17), with the defaults here.
        sieveScripts: [
          expect.objectContaining({ email: 'amy@b.example', name: 'spam', script: renderSpamSieve(null) }),
          expect.objectContaining({ email: 'zed@a.example', name: 'spam', script: renderSpamSieve(null) }),
        ],
      },
    });
  });

  it.each([
    [
      'a mailbox of a domain without mail',
      { mailboxes: [mailbox('x@web.example')] },
      /x@web.example: its domain/,
    ],
    [
      'a local part that would leave the mail root',
      { mailboxes: [mailbox('../x@a.example')] },
      /cannot name/,
    ],
    [
      'an alias of a foreign domain',
      { aliases: [{ source: 'a@other.example', destinations: ['b@c.d'] }] },
      /alias/,
    ],
  ])('leaves out %s and says why', (_case, over, issue) => {
    const domains = [mailDomain('a.example'), mailDomain('web.example', { mail: false })];
    const result = desiredMail(customerSnapshot({ domains, ...over }));
    expect(result.rows.users).toEqual([]);
    expect(result.rows.aliases).toEqual([]);
    expect(result.issues.join('\n')).toMatch(issue);
  });

  it('wants nothing for a deleting customer but still names its domains', () => {
    const snapshot = customerSnapshot({
      deleting: true,
      domains: [mailDomain('a.example')],
      mailboxes: [mailbox('x@a.example')],
    });
    expect(desiredMail(snapshot)).toEqual({
      customerDomains: ['a.example'],
      rows: { domains: [], users: [], aliases: [] },
      issues: [],
      awaitingVerification: [],
    });
  });
});

describe('desiredSieveScripts', () => {
  it('renders the panel rules and the custom script of a mailbox, answering its aliases, with content ids', () => {
    const filters = {
      autoresponder: { subject: 'Away', body: 'Back soon', startsAt: null, endsAt: null, intervalDays: 3 },
      forwarding: { destinations: ['out@elsewhere.org'], keepCopy: true },
      customSieve: 'require "fileinto";\nif header :contains "subject" "invoice" { fileinto "Invoices"; }\n',
    };
    const snapshot = customerSnapshot({
      domains: [mailDomain('a.example')],
      mailboxes: [{ ...mailbox('zed@a.example'), filters }],
      aliases: [
        { source: 'info@a.example', destinations: ['zed@a.example'] },
        { source: '@a.example', destinations: ['zed@a.example'] },
      ],
    });
    const scripts = desiredMail(snapshot).rows.sieveScripts ?? [];
    expect(scripts.map((s) => s.name)).toEqual(['custom', 'hostplane', 'spam']);
    const rules = scripts.find((s) => s.name === 'hostplane');
    expect(rules?.script).toContain(':addresses ["info@a.example"]');
    expect(rules?.script).toContain('redirect :copy "out@elsewhere.org";');
    expect(rules?.scriptId).toBe(sieveScriptId(rules?.script ?? ''));
    expect(rules?.scriptId).toMatch(/^[0-9a-f]{64}$/);
  });
});
