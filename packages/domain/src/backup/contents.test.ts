import { describe, expect, it } from 'vitest';
import { type BackupContents, parseBackupContents, planRestoreScope, type SiteCopy } from './contents.ts';

const site = (name: string): SiteCopy => ({
  name,
  template: 'static',
  image: null,
  port: null,
  domains: [],
  www: false,
  replicas: 1,
  database: false,
  databasePassword: null,
  phpVersion: null,
  phpSettings: null,
  cronJobs: [],
});
const contents: BackupContents = {
  sites: [site('web'), site('blog')],
  mailboxes: [],
  zones: [],
  databases: [],
  databaseServer: null,
};

describe('planRestoreScope', () => {
  it.each([
    {
      case: 'whole backup, every site still there: nothing re-created',
      existing: ['web', 'blog'],
      requested: undefined,
      sites: ['blog', 'web'],
      recreate: [],
    },
    {
      case: 'whole backup after web was deleted: web re-created',
      existing: ['blog'],
      requested: undefined,
      sites: ['blog', 'web'],
      recreate: ['web'],
    },
    {
      case: 'one site asked for, deleted since: only it re-created',
      existing: [],
      requested: ['web'],
      sites: ['web'],
      recreate: ['web'],
    },
    {
      case: 'a site created after the backup is not the backup’s: untouched',
      existing: ['web', 'blog', 'shop'],
      requested: undefined,
      sites: ['blog', 'web'],
      recreate: [],
    },
  ])('$case', ({ existing, requested, sites, recreate }) => {
    const scope = planRestoreScope(contents, existing, requested);
    expect(scope.issues).toEqual([]);
    expect(scope.sites).toEqual(sites);
    expect(scope.recreate.map((s) => s.name)).toEqual(recreate);
  });

  it('names the field of a site the backup does not hold, or one named twice', () => {
    expect(planRestoreScope(contents, [], ['web', 'shop', 'web']).issues).toEqual([
      { path: 'sites.1', message: 'the backup holds no site shop' },
      { path: 'sites.2', message: 'site web is named twice' },
    ]);
  });

  it('sites cannot be picked from a backup whose contents are unknown; the whole backup can', () => {
    expect(planRestoreScope(null, [], ['web']).issues.map((i) => i.path)).toEqual(['sites']);
    expect(planRestoreScope(null, ['web'], undefined)).toEqual({
      sites: [],
      recreate: [],
      recreateDatabases: [],
      issues: [],
    });
  });
});

describe('parseBackupContents', () => {
  it('reads what the ledger stored and refuses anything else', () => {
    expect(parseBackupContents(null)).toBeNull();
    expect(parseBackupContents(JSON.parse(JSON.stringify(contents)))).toEqual(contents);
    expect(() => parseBackupContents({ sites: [{ name: 'x' }] })).toThrow();
  });
});

describe('customer databases in a restore', () => {
  const db = (name: string, sites: string[]) => ({
    name,
    sites,
    users: [{ name, password: 'sealed:v1:…', owner: true }],
  });
  const held: BackupContents = { ...contents, databases: [db('shop', ['web']), db('notes', [])] };
  it.each([
    {
      case: 'whole restore, both deleted since',
      requested: undefined,
      existing: [],
      back: ['shop', 'notes'],
    },
    { case: 'whole restore, shop still there', requested: undefined, existing: ['shop'], back: ['notes'] },
    { case: 'restore of web: its database only', requested: ['web'], existing: [], back: ['shop'] },
    { case: 'restore of blog: no database of its own', requested: ['blog'], existing: [], back: [] },
  ])('$case', ({ requested, existing, back }) => {
    const scope = planRestoreScope(held, ['web', 'blog'], requested, existing);
    expect(scope.recreateDatabases.map((d) => d.name)).toEqual(back);
  });
  it('reads contents recorded before databases were', () => {
    expect(parseBackupContents({ sites: [] })).toMatchObject({ databases: [], databaseServer: null });
  });
});
