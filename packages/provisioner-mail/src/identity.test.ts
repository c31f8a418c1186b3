import type { MailUserRow } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_LIMIT_PER_HOUR, desiredIdentities, identityKeyDomain } from './identity.ts';

const user = (email: string, over: Partial<MailUserRow> = {}): MailUserRow => ({
  mailboxId: 1,
  email,
  domain: email.slice(email.indexOf('@') + 1),
  password: '{ARGON2ID}x',
  quotaBytes: 0,
  maildir: 'x/y@1/',
  enabled: true,
  sendEnabled: true,
  sendLimitPerHour: 100,
  ...over,
});

describe('desiredIdentities', () => {
  it('maps domains and sending logins to the customer, forwarding aliases to a limit', () => {
    const entries = desiredIdentities(1001, {
      domains: ['a.example', 'b.example'],
      users: [
        user('al@a.example', { sendLimitPerHour: 40 }),
        user('bo@b.example'),
        user('off@a.example', { enabled: false }),
      ],
      aliases: [
        { domain: 'a.example', source: 'team@a.example', destination: 'al@a.example' },
        { domain: 'a.example', source: 'fwd@a.example', destination: 'al@a.example' },
        { domain: 'a.example', source: 'fwd@a.example', destination: 'x@gmail.example' },
        { domain: 'b.example', source: '@b.example', destination: 'y@elsewhere.example' },
      ],
    });
    expect(entries).toEqual([
      { key: 'domain:a.example', value: '1001' },
      { key: 'domain:b.example', value: '1001' },
      // The lowest mailbox limit of the customer, disabled mailboxes included.
      { key: 'forward:@b.example', value: '40' },
      { key: 'forward:fwd@a.example', value: '40' },
      { key: 'login:al@a.example', value: '1001' },
      { key: 'login:bo@b.example', value: '1001' },
    ]);
  });

  it('lists no login of a suspended customer, and a default forward limit without mailboxes', () => {
    expect(
      desiredIdentities(7, {
        domains: ['a.example'],
        users: [user('al@a.example', { sendEnabled: false, sendLimitPerHour: 0 })],
        aliases: [{ domain: 'a.example', source: 'f@a.example', destination: 'o@out.example' }],
      }),
    ).toEqual([
      { key: 'domain:a.example', value: '7' },
      { key: 'forward:f@a.example', value: String(DEFAULT_FORWARD_LIMIT_PER_HOUR) },
    ]);
  });

  it.each([
    ['domain:a.example', 'a.example'],
    ['login:al@a.example', 'a.example'],
    ['forward:@b.example', 'b.example'],
  ])('finds the domain of %s', (key, domain) => {
    expect(identityKeyDomain(key)).toBe(domain);
  });
});
