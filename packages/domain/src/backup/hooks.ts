// Consistent databases in tenant backups: a Velero pre-backup exec hook runs `mariadb-dump` inside each
// site database pod (the StatefulSet packages/domain renders: label hostplane.io/component=database,
// container `mariadb`, data volume at /var/lib/mysql) and writes the dump into that same volume, which the
// node agent then copies with Kopia. A post-restore exec hook loads the dump back once MariaDB runs.
//
// Why a dump and not a freeze: the data files Kopia copies from a live InnoDB are not a consistent
// snapshot (no CSI or Longhorn snapshot is taken: file-system backup reads files one by one). A freeze
// (FLUSH TABLES WITH READ LOCK, or fsfreeze) would have to hold for the whole Kopia copy, blocking
// every write of the customer's site for as long as the volume takes to upload, and fsfreeze needs a
// privileged hook on a filesystem the tenant shares; `mariadb-dump --single-transaction` is one
// consistent InnoDB read view with no lock held, its output is portable across MariaDB versions, and
// the restore does not depend on InnoDB's crash recovery of a torn copy.
import { COMPONENT_LABEL } from '../k8s/labels.ts';
import { tenantNamespace } from '../snapshot.ts';

export const DATABASE_CONTAINER = 'mariadb';
export const DATABASE_DATA_DIR = '/var/lib/mysql';
/** Inside the data volume, so the file-system backup carries it with the data files. */
export const DATABASE_DUMP_FILE = `${DATABASE_DATA_DIR}/hostplane-backup.sql`;

const client = (tool: 'dump' | 'load') =>
  tool === 'dump'
    ? '$(command -v mariadb-dump || command -v mysqldump)'
    : '$(command -v mariadb || command -v mysql)';

/** The dump, written to a temporary file first so a failed dump never replaces the last good one. */
export const DUMP_SCRIPT = [
  'set -eu',
  `MYSQL_PWD="$MARIADB_PASSWORD" ${client('dump')} --single-transaction --quick --routines --events --triggers`,
  ` --user="$MARIADB_USER" --databases "$MARIADB_DATABASE" > ${DATABASE_DUMP_FILE}.tmp`,
  `mv ${DATABASE_DUMP_FILE}.tmp ${DATABASE_DUMP_FILE}`,
]
  .join('\n')
  .replace('\n --user', ' --user');

export const LOAD_SCRIPT = [
  'set -eu',
  `test -s ${DATABASE_DUMP_FILE} || exit 0`,
  `MYSQL_PWD="$MARIADB_PASSWORD" ${client('load')} --user="$MARIADB_USER" < ${DATABASE_DUMP_FILE}`,
].join('\n');

const databasePods = { matchLabels: { [COMPONENT_LABEL]: 'database' } };

/** Backup.spec.hooks: dump every site database of the customer before its volume is copied. */
export function backupHooks(customerId: number) {
  return {
    resources: [
      {
        name: 'mariadb-dump',
        includedNamespaces: [tenantNamespace(customerId)],
        labelSelector: databasePods,
        pre: [
          {
            exec: {
              container: DATABASE_CONTAINER,
              command: ['/bin/sh', '-c', DUMP_SCRIPT],
              // A backup without its database dump is not a good backup: the backup fails instead.
              onError: 'Fail',
              timeout: '10m',
            },
          },
        ],
      },
    ],
  };
}

/** Restore.spec.hooks: once the restored MariaDB answers, load the dump taken at backup time. */
export function restoreHooks(customerId: number) {
  return {
    resources: [
      {
        name: 'mariadb-load',
        includedNamespaces: [tenantNamespace(customerId)],
        labelSelector: databasePods,
        postHooks: [
          {
            exec: {
              container: DATABASE_CONTAINER,
              command: ['/bin/sh', '-c', LOAD_SCRIPT],
              waitForReady: true,
              waitTimeout: '10m',
              execTimeout: '10m',
              onError: 'Fail',
            },
          },
        ],
      },
    ],
  };
}
