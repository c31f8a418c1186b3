import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { envFromSecret, meta, restrictedContainer, restrictedPod, secret } from './common.ts';

// Issue 14: the mail schema exists before Postfix and Dovecot query it. Without it, Postfix answers
// 451 until trivial-rewrite restarts and Dovecot's logins fail. The panel owns the schema: the
// `mail-schema` Job runs `hostplane mail-schema` (the panel's migrator: idempotent, under a named lock)
// from the panel's image against the mail DB; Postfix's and Dovecot's pods wait for its tables in an
// init container (the mail DB image's client, as the read-only account they use), so
// `bootstrap --apply`, which waits for them to be Ready, finishes only with the schema in place.

const NS = 'mail-system';
const APP = 'mail-schema';
const PANEL_UID = 10001;
const MARIADB_UID = 999;
/** The tables Postfix's and Dovecot's SQL maps read (provisioner-mail's MAIL_TABLES). */
export const MAIL_SCHEMA_TABLES = [
  'virtual_domains',
  'virtual_users',
  'virtual_aliases',
  'virtual_sieve_scripts',
] as const;

const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } };

/** The Job's name carries a hash of what it runs: an upgrade (a new panel image) is a new Job (a Job's
 * template cannot change), and the old one is pruned with the previous render. */
export function mailSchemaJobName(config: BootstrapConfig): string {
  const digest = createHash('sha256').update(config.bootstrap.systemImages.panel).digest('hex');
  return `mail-schema-${digest.slice(0, 8)}`;
}

function databaseUrl(user: string, password: string): string {
  return `mysql://${user}:${encodeURIComponent(password)}@mail-db.${NS}.svc:3306/mail`;
}

export function mailSchemaObjects(config: BootstrapConfig): KubeObject[] {
  const s = config.bootstrap.secrets;
  const labels = meta(APP, NS, APP).labels;
  return [
    secret(APP, NS, APP, {
      MAIL_DATABASE_URL: databaseUrl('mail', s.mailDbPassword),
      MAIL_RO_PASSWORD: s.mailDbReadonlyPassword,
    }),
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(mailSchemaJobName(config), NS, APP),
      spec: {
        // The mail DB may still be starting: the migrator fails and the Job tries again.
        backoffLimit: 30,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            securityContext: restrictedPod(PANEL_UID),
            containers: [
              {
                name: 'migrate',
                image: config.bootstrap.systemImages.panel,
                args: ['mail-schema'],
                env: [envFromSecret('MAIL_DATABASE_URL', APP, 'MAIL_DATABASE_URL')],
                securityContext: restrictedContainer,
                resources,
              },
            ],
          },
        },
      },
    } as KubeObject,
  ];
}

/** The init container of Postfix's and Dovecot's pods: waits until the mail tables exist. */
export function waitForMailSchema(config: BootstrapConfig) {
  const tables = MAIL_SCHEMA_TABLES.map((t) => `'${t}'`).join(',');
  const query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'mail' AND table_name IN (${tables})`;
  const script = [
    // One command line: a newline inside $( ) would end the mariadb command there.
    'until [ "$(mariadb --host=mail-db --user=mail_ro --password="$MAIL_RO_PASSWORD" --batch --skip-column-names \\',
    `  --connect-timeout=5 -e "${query}" 2>/dev/null)" = "${MAIL_SCHEMA_TABLES.length}" ]; do`,
    '  echo "waiting for the mail schema (Job mail-schema)"; sleep 2',
    'done',
  ].join('\n');
  return {
    name: 'wait-mail-schema',
    image: config.bootstrap.systemImages.mariadb,
    command: ['sh', '-c', script],
    env: [envFromSecret('MAIL_RO_PASSWORD', APP, 'MAIL_RO_PASSWORD')],
    securityContext: {
      ...restrictedContainer,
      runAsNonRoot: true,
      runAsUser: MARIADB_UID,
      runAsGroup: MARIADB_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources,
  };
}
