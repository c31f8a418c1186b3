import { describe, expect, it } from 'vitest';
import { databaseNameIssues, databaseUserNameIssues, nativePasswordHash } from '../databases/names.ts';
import { cronJobIssues } from './cronjob.ts';
import { testConfig } from './fixtures.ts';
import { phpIni, phpIssues, wordpressPhpVersions } from './php.ts';

const limits = {
  cpu: '1',
  memory: '1Gi',
  storage: '5Gi',
  sites: 3,
  domains: 3,
  mailboxes: 3,
  mailboxQuota: '1Gi',
  databases: 2,
  backupRetentionDays: 7,
};

describe('site runtime rules', () => {
  it.each([
    ['* * * * *', []],
    ['*/5 2 * * 1-5', []],
    ['@hourly', []],
    ['* * * *', ['schedule']],
    ['0 0 * * * *', ['schedule']],
    ['61 * * * *', ['schedule']],
    ['TZ=UTC * * * * *', ['schedule']],
  ])('schedule %s', (schedule, paths) => {
    expect(cronJobIssues({ schedule }).map((i) => i.path[0])).toEqual(paths);
  });

  it('time zones come from the IANA database', () => {
    expect(cronJobIssues({ timeZone: 'Europe/Berlin' })).toEqual([]);
    expect(cronJobIssues({ timeZone: 'Mars/Olympus' })[0]?.path).toEqual(['timeZone']);
  });

  it('wordpress sites choose among the PHP versions with a WordPress image', () => {
    const php = {
      ...testConfig.php,
      versions: [
        ...testConfig.php.versions,
        { version: '8.3', image: 'docker.io/library/php:8.3.21-fpm-alpine', wordpressImage: 'wp:8.3' },
      ],
    };
    expect(wordpressPhpVersions(testConfig.php)).toEqual([]);
    expect(wordpressPhpVersions(php)).toEqual(['8.3']);
    expect(phpIssues({ template: 'wordpress', phpVersion: '8.3' }, limits, { php })).toEqual([]);
    expect(phpIssues({ template: 'wordpress', phpVersion: '8.4' }, limits, { php })[0]?.message).toBe(
      'no WordPress image for PHP 8.4; this platform has 8.3',
    );
  });

  it('php versions from the platform list, settings within the plan', () => {
    expect(phpIssues({ template: 'php', phpVersion: '8.4' }, limits, testConfig)).toEqual([]);
    expect(phpIssues({ template: 'php', phpVersion: '7.4' }, limits, testConfig)[0]?.path).toEqual([
      'phpVersion',
    ]);
    expect(phpIssues({ template: 'static', phpVersion: '8.4' }, limits, testConfig)[0]?.path).toEqual([
      'phpVersion',
    ]);
    expect(
      phpIssues(
        { template: 'php', php: { memoryLimit: '1G', maxExecutionTime: 30 } },
        limits,
        testConfig,
      ).map((i) => i.path.join('.')),
    ).toEqual(['php.memoryLimit']);
    expect(
      phpIssues(
        { template: 'php', php: { memoryLimit: '1G' } },
        { ...limits, phpMemoryLimit: '2G' },
        testConfig,
      ),
    ).toEqual([]);
    expect(phpIni({ uploadMaxFilesize: '128M' })).toContain('post_max_size = 128M');
    expect(phpIni({})).toBeNull();
  });

  it('database and user names', () => {
    expect(databaseNameIssues('shop_1')).toEqual([]);
    expect(databaseNameIssues('Shop')[0]?.path).toEqual(['name']);
    expect(databaseNameIssues('mysql')[0]?.message).toMatch(/reserved/);
    expect(databaseUserNameIssues('root')[0]?.message).toMatch(/reserved/);
  });

  it("hashes passwords as MariaDB's mysql_native_password does", () => {
    // SELECT PASSWORD('password') on MariaDB.
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });
});
