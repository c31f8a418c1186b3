import { describe, expect, it } from 'vitest';
import { COMPONENT_LABEL } from '../k8s/labels.ts';
import { backupHooks, DATABASE_DUMP_FILE, DUMP_SCRIPT, LOAD_SCRIPT, restoreHooks } from './hooks.ts';

describe('database hooks', () => {
  it('dumps every site database of the customer before Kopia copies its volume, or fails the backup', () => {
    const [hook] = backupHooks(1001).resources;
    expect(hook).toMatchObject({
      includedNamespaces: ['cust-1001'],
      labelSelector: { matchLabels: { [COMPONENT_LABEL]: 'database' } },
      pre: [{ exec: { container: 'mariadb', onError: 'Fail' } }],
    });
    expect(hook?.pre[0]?.exec.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  });

  it('dumps one consistent read view into the data volume, replacing the last dump only when done', () => {
    expect(DUMP_SCRIPT).toContain('--single-transaction');
    expect(DUMP_SCRIPT).toContain(`> ${DATABASE_DUMP_FILE}.tmp`);
    expect(DUMP_SCRIPT).toContain(`mv ${DATABASE_DUMP_FILE}.tmp ${DATABASE_DUMP_FILE}`);
    expect(DATABASE_DUMP_FILE.startsWith('/var/lib/mysql/')).toBe(true);
    // The password goes through the environment, never on the command line.
    expect(DUMP_SCRIPT).toContain('MYSQL_PWD="$MARIADB_PASSWORD"');
    expect(DUMP_SCRIPT).not.toContain('--password');
  });

  it('loads the dump after a restore, once MariaDB is ready; no dump, nothing to load', () => {
    const [hook] = restoreHooks(1001).resources;
    expect(hook?.postHooks[0]?.exec).toMatchObject({ container: 'mariadb', waitForReady: true });
    expect(LOAD_SCRIPT).toContain(`test -s ${DATABASE_DUMP_FILE} || exit 0`);
    expect(LOAD_SCRIPT).toContain(`< ${DATABASE_DUMP_FILE}`);
  });
});
