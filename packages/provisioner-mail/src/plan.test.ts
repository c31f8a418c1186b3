import { describe, expect, it } from 'vitest';
import { countMailChanges, planMailChanges } from './plan.ts';
import type { MailRows, MailUserRow } from './rows.ts';

const user = (email: string, over: Partial<MailUserRow> = {}): MailUserRow => {
  const [local, domain = ''] = email.split('@');
  return {
    email,
    domain,
    password: '{ARGON2ID}x',
    quotaBytes: 0,
    maildir: `${domain}/${local}/`,
    enabled: true,
    sendLimitPerHour: 100,
    ...over,
  };
};
const rows = (over: Partial<MailRows> = {}): MailRows => ({ domains: [], users: [], aliases: [], ...over });
const empty = {
  domainsToAdd: [],
  domainsToRemove: [],
  usersToAdd: [],
  usersToUpdate: [],
  usersToRemove: [],
  aliasesToAdd: [],
  aliasesToRemove: [],
  conflicts: [],
};

describe('planMailChanges', () => {
  const desired = rows({
    domains: ['a.example'],
    users: [user('x@a.example')],
    aliases: [{ domain: 'a.example', source: '@a.example', destination: 'x@a.example' }],
  });

  it('plans nothing when the owned rows equal the desired ones', () => {
    const plan = planMailChanges(desired, { owned: desired, foreignDomains: [] });
    expect(plan).toEqual(empty);
    expect(countMailChanges(plan)).toBe(0);
  });

  it('adds everything into an empty database', () => {
    expect(planMailChanges(desired, { owned: rows(), foreignDomains: [] })).toEqual({
      ...empty,
      domainsToAdd: ['a.example'],
      usersToAdd: desired.users,
      aliasesToAdd: desired.aliases,
    });
  });

  it('updates a changed user, removes what is no longer wanted with its maildir', () => {
    const owned = rows({
      domains: ['a.example', 'gone.example'],
      users: [user('x@a.example', { password: '{ARGON2ID}old' }), user('y@gone.example')],
      aliases: [
        ...desired.aliases,
        { domain: 'a.example', source: 'old@a.example', destination: 'x@a.example' },
      ],
    });
    expect(planMailChanges(desired, { owned, foreignDomains: [] })).toEqual({
      ...empty,
      domainsToRemove: ['gone.example'],
      usersToUpdate: desired.users,
      usersToRemove: [user('y@gone.example')],
      aliasesToRemove: [{ domain: 'a.example', source: 'old@a.example', destination: 'x@a.example' }],
    });
  });

  it('holds back a domain owned elsewhere, with its users and aliases', () => {
    const plan = planMailChanges(desired, { owned: rows(), foreignDomains: ['a.example'] });
    expect(plan).toEqual({ ...empty, conflicts: ['a.example'] });
  });
});
