// `npm start`: setup, the local stack up, then every address and credential. The panel (API, worker,
// web) is started by `startPanel` below once it exists: DESIGN.md §4 has `npm start` run
// `hostplane serve` against the stack's variables, create an admin and print the panel's URL.
import { readFileSync } from 'node:fs';
import {
  resolveStateDir,
  StackComponentError,
  type StackSecrets,
  stackEnv,
  stackUp,
  statePaths,
} from '@hostplane/localstack';
import type { StackEnv } from '@hostplane/testing';
import { runSetup } from './setup.ts';

function printCredentials(env: StackEnv): void {
  const paths = statePaths(resolveStateDir());
  const secrets = JSON.parse(readFileSync(paths.secretsFile, 'utf8')) as StackSecrets;
  const rows: Array<[string, string]> = [
    ['Kubernetes (admin)', `KUBECONFIG=${env.KUBECONFIG}`],
    ['PostgreSQL (panel)', env.DATABASE_URL],
    ['MariaDB mail (rw)', env.MAIL_DATABASE_URL],
    ['MariaDB mail (read-only)', `user mail_ro, password ${secrets.mailDbReadonlyPassword}`],
    ['MariaDB pdns', `user pdns, password ${secrets.pdnsDbPassword}`],
    [
      'MariaDB root',
      `socket ${paths.stateDir}/mariadb/run/mysqld.sock, password ${secrets.mariadbRootPassword}`,
    ],
    ['PowerDNS API', `${env.PDNS_API_URL}/api/v1/servers/localhost  (X-API-Key: ${env.PDNS_API_KEY})`],
    ['PowerDNS DNS', `dig @${env.PDNS_DNS_ADDR.replace(':', ' -p ')} example.org SOA`],
    ['SMTP', env.SMTP_ADDR],
    ['Submission', env.SUBMISSION_ADDR],
    ['IMAP', env.IMAP_ADDR],
  ];
  console.log('\nHow to reach the stack:');
  for (const [what, how] of rows) console.log(`  ${what.padEnd(26)} ${how}`);
  console.log(`\nState ${paths.stateDir} (logs in ${paths.logsDir}); secrets in ${paths.secretsFile}`);
  console.log('\nFor your shell:');
  for (const line of stackEnv()) console.log(`  ${line}`);
}

/** Hook for the panel: a later issue runs `hostplane serve` here (API + worker + web) and prints its URL. */
async function startPanel(_env: StackEnv): Promise<number> {
  console.log('\nThe panel is not part of this build yet; stop the stack with: npx hostplane stack down');
  return 0;
}

async function main(): Promise<number> {
  const { localcluster } = await runSetup();
  try {
    const result = await stackUp({ localclusterBinary: localcluster });
    printCredentials(result.env);
    return startPanel(result.env);
  } catch (err) {
    if (!(err instanceof StackComponentError)) throw err;
    console.error(`npm start: ${err.message}`);
    return 1;
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
