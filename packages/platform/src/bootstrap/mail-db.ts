import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import {
  env,
  envFromSecret,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  service,
  workload,
} from './common.ts';

const NS = 'mail-system';
const MARIADB_UID = 999;

/**
 * The mail MySQL (virtual_domains, virtual_users, virtual_aliases; the panel migrates the tables).
 * Two accounts: `mail` (the panel, read-write) and `mail_ro` (Postfix and Dovecot, SELECT only), the
 * second made by an init script on first start.
 */
export function mailDatabase(config: BootstrapConfig): KubeObject[] {
  const s = config.bootstrap.secrets;
  const initSql = [
    `CREATE USER IF NOT EXISTS 'mail_ro'@'%' IDENTIFIED BY '${s.mailDbReadonlyPassword}';`,
    "GRANT SELECT ON mail.* TO 'mail_ro'@'%';",
    '',
  ].join('\n');
  return [
    secret('mail-db', NS, 'mail-db', {
      MARIADB_ROOT_PASSWORD: s.mailDbRootPassword,
      MARIADB_PASSWORD: s.mailDbPassword,
      'readonly-user.sql': initSql,
    }),
    service('mail-db', NS, 'mail-db', [{ name: 'mysql', port: 3306, targetPort: 3306 }]),
    workload({
      kind: 'StatefulSet',
      name: 'mail-db',
      ns: NS,
      replicas: 1,
      podSecurity: restrictedPod(MARIADB_UID),
      containers: [
        {
          name: 'mariadb',
          image: config.bootstrap.systemImages.mariadb,
          env: [
            env('MARIADB_DATABASE', 'mail'),
            env('MARIADB_USER', 'mail'),
            envFromSecret('MARIADB_ROOT_PASSWORD', 'mail-db', 'MARIADB_ROOT_PASSWORD'),
            envFromSecret('MARIADB_PASSWORD', 'mail-db', 'MARIADB_PASSWORD'),
          ],
          ports: [{ name: 'mysql', containerPort: 3306 }],
          securityContext: restrictedContainer,
          readinessProbe: { exec: { command: ['healthcheck.sh', '--connect'] }, periodSeconds: 10 },
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/mysql' },
            { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
            { name: 'run', mountPath: '/run/mysqld' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        {
          name: 'init',
          secret: { secretName: 'mail-db', items: [{ key: 'readonly-user.sql', path: 'readonly-user.sql' }] },
        },
        ...scratch('run', 'tmp'),
      ],
      claims: [
        { name: 'data', size: config.bootstrap.volumes.mailDb, storageClass: config.storage.storageClass },
      ],
    }),
  ];
}
