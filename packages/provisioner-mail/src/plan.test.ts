import type { MailRows, MailUserRow } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { countMailChanges, planMailChanges } from './plan.ts';

const user = (email: string, over: Partial<MailUserRow> = {}): MailUserRow => {
  const [local, domain = ''] = email.split('@');
  const mailboxId = over.mailboxId === undefined ? 1 : over.mailboxId;
  return {
    mailboxId,
    email,
    domain,
    password: '{ARGON2ID}x',
    quotaBytes: 0,
    maildir: mailboxId === null ? `${domain}/${local}/` : `${domain}/${local}@${mailboxId}/`,
    enabled: true,
    sendEnabled: true,
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
  sieveToWrite: [],
  sieveToRemove: [],
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

  it('replaces a mailbox created again at the same address (another id): a new folder, the old one goes', () => {
    const owned = rows({ ...desired, users: [user('x@a.example', { mailboxId: 1 })] });
    const again = rows({ ...desired, users: [user('x@a.example', { mailboxId: 2 })] });
    expect(planMailChanges(again, { owned, foreignDomains: [] })).toEqual({
      ...empty,
      usersToAdd: [user('x@a.example', { mailboxId: 2, maildir: 'a.example/x@2/' })],
      usersToRemove: [user('x@a.example', { mailboxId: 1, maildir: 'a.example/x@1/' })],
    });
  });

  it('keeps the folder of a row written before ids were kept, and records the id once', () => {
    const legacy = user('x@a.example', { mailboxId: null, maildir: 'a.example/x/' });
    const owned = rows({ ...desired, users: [legacy] });
    const plan = planMailChanges(desired, { owned, foreignDomains: [] });
    const adopted = { ...desired.users[0]!, maildir: 'a.example/x/' };
    expect(plan).toEqual({ ...empty, usersToUpdate: [adopted] });
    // The next pass finds the adopted row and plans nothing.
    expect(
      planMailChanges(desired, { owned: rows({ ...desired, users: [adopted] }), foreignDomains: [] }),
    ).toEqual(empty);
  });

  it('updates send_enabled when the customer is suspended', () => {
    const suspended = rows({ ...desired, users: [user('x@a.example', { sendEnabled: false })] });
    expect(planMailChanges(suspended, { owned: desired, foreignDomains: [] })).toEqual({
      ...empty,
      usersToUpdate: suspended.users,
    });
  });
});

describe('planMailChanges: Sieve scripts', () => {
  const script = (email: string, name: string, scriptId: string) => ({
    email,
    domain: email.split('@')[1] ?? '',
    name,
    scriptId,
    script: `# ${scriptId}`,
  });
  const base = { domains: ['a.example'], users: [user('x@a.example')], aliases: [] };

  it('writes a new or changed script, removes an unwanted one, and leaves an equal one', () => {
    const desired = rows({
      ...base,
      sieveScripts: [script('x@a.example', 'hostplane', 'new'), script('x@a.example', 'custom', 'same')],
    });
    const owned = rows({
      ...base,
      sieveScripts: [
        { ...script('x@a.example', 'hostplane', 'old'), script: '' },
        { ...script('x@a.example', 'custom', 'same'), script: '' },
        { ...script('x@a.example', 'other', 'gone'), script: '' },
      ],
    });
    const plan = planMailChanges(desired, { owned, foreignDomains: [] });
    expect(plan.sieveToWrite).toEqual([script('x@a.example', 'hostplane', 'new')]);
    expect(plan.sieveToRemove.map((s) => s.name)).toEqual(['other']);
    const converged = rows({ ...base, sieveScripts: desired.sieveScripts ?? [] });
    expect(countMailChanges(planMailChanges(desired, { owned: converged, foreignDomains: [] }))).toBe(0);
  });

  it('writes the scripts of a mailbox created again at the same address (the old row takes its own along)', () => {
    const desired = rows({
      ...base,
      users: [user('x@a.example', { mailboxId: 2 })],
      sieveScripts: [script('x@a.example', 'hostplane', 'h')],
    });
    const owned = rows({ ...base, sieveScripts: [script('x@a.example', 'hostplane', 'h')] });
    const plan = planMailChanges(desired, { owned, foreignDomains: [] });
    expect(plan.usersToRemove.map((u) => u.mailboxId)).toEqual([1]);
    expect(plan.sieveToWrite.map((s) => s.name)).toEqual(['hostplane']);
    expect(plan.sieveToRemove).toEqual([]);
  });

  it('holds back the scripts of a domain owned elsewhere', () => {
    const desired = rows({ ...base, sieveScripts: [script('x@a.example', 'hostplane', 'h')] });
    const plan = planMailChanges(desired, { owned: rows(), foreignDomains: ['a.example'] });
    expect(plan.sieveToWrite).toEqual([]);
  });
});
