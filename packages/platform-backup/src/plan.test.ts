import { describe, expect, it } from 'vitest';
import { backupId, backupIdTime, backupsInListing, expiredBackups, manifestKey, sourceFile } from './plan.ts';

describe('platform backup names', () => {
  it('ids sort by time and round-trip', () => {
    const at = new Date('2026-11-27T19:05:53.123Z');
    expect(backupId(at)).toBe('20261127T190553Z');
    expect(backupIdTime('20261127T190553Z')).toEqual(new Date('2026-11-27T19:05:53Z'));
    expect(() => backupIdTime('yesterday')).toThrow(/not a backup id/);
  });

  it('keys per source and the manifest', () => {
    expect(sourceFile('panel')).toBe('panel.pgdump');
    expect(sourceFile('pdns')).toBe('pdns.sql.gz');
    expect(sourceFile('maildir')).toBe('maildir.tar.gz');
    expect(manifestKey('platform', '20261127T190553Z')).toBe('platform/20261127T190553Z/manifest.json');
  });
});

describe('backupsInListing', () => {
  it('a backup is complete only with its manifest; other keys are ignored', () => {
    const keys = [
      'platform/20261120T031700Z/panel.pgdump',
      'platform/20261120T031700Z/manifest.json',
      'platform/20261121T031700Z/panel.pgdump',
      'platform/notes.txt',
      'hostplane/backups/x',
      'platform-old/20261101T000000Z/manifest.json',
    ];
    expect(backupsInListing('platform', keys)).toEqual({
      complete: ['20261120T031700Z'],
      incomplete: ['20261121T031700Z'],
    });
  });
});

describe('expiredBackups', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  it.each([
    [
      'older than retention go',
      { complete: ['20261101T000000Z', '20261126T000000Z'], incomplete: [] },
      14,
      ['20261101T000000Z'],
    ],
    ['the newest complete one stays however old', { complete: ['20261001T000000Z'], incomplete: [] }, 14, []],
    ['within retention stay', { complete: ['20261120T000000Z', '20261126T000000Z'], incomplete: [] }, 14, []],
    [
      'an incomplete run older than a day goes, a younger one may still be uploading',
      { complete: ['20261126T000000Z'], incomplete: ['20261125T000000Z', '20261127T110000Z'] },
      14,
      ['20261125T000000Z'],
    ],
  ])('%s', (_name, listing, days, expected) => {
    expect(expiredBackups(listing, now, days)).toEqual(expected);
  });
});
