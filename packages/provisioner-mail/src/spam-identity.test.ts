import type { SpamSettings } from '@hostplane/domain';
import { desiredMail } from '@hostplane/domain';
import { renderIdentityMap } from '@hostplane/platform';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { describe, expect, it } from 'vitest';
import { desiredSpamEntries } from './spam-identity.ts';

const mailbox = (id: number, address: string, spam: SpamSettings | null = null) => ({
  id,
  address,
  passwordHash: '{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$abc$def',
  quotaBytes: 1024,
  enabled: true,
  sendLimitPerHour: 50,
  ...(spam ? { filters: { autoresponder: null, forwarding: null, customSieve: null, spam } } : {}),
});

describe('desiredSpamEntries', () => {
  it('gives every mailbox its reject score and lists, and an alias the most lenient of its mailboxes', () => {
    const snapshot = customerSnapshot({
      domains: [mailDomain('a.example')],
      mailboxes: [
        mailbox(1, 'lax@a.example', {
          junkScore: 5,
          rejectScore: null,
          allow: ['@friends.example'],
          block: [],
        }),
        mailbox(2, 'std@a.example', { junkScore: 6, rejectScore: 12.5, allow: [], block: ['x@bad.example'] }),
        mailbox(3, 'def@a.example'),
      ],
      aliases: [
        { source: 'team@a.example', destinations: ['std@a.example', 'def@a.example'] },
        { source: '@a.example', destinations: ['lax@a.example'] },
      ],
    });
    const entries = desiredSpamEntries(snapshot, desiredMail(snapshot).rows);
    expect(renderIdentityMap(entries)).toBe(
      [
        'spam-allow:@friends.example/@a.example 1',
        'spam-allow:@friends.example/lax@a.example 1',
        'spam-block:x@bad.example/std@a.example 1',
        'spam:@a.example off',
        'spam:def@a.example 15',
        'spam:lax@a.example off',
        'spam:std@a.example 12.5',
        'spam:team@a.example 15',
        '',
      ].join('\n'),
    );
  });
});
