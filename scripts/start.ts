// `npm start`: setup, the local stack up, then every address and credential. The panel (API, worker,
// web) is started by `startPanel` below once it exists: DESIGN.md §4 has `npm start` run
// `hostplane serve` against the stack's variables, create an admin and print the panel's URL.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  nodeProfile,
  resolveStateDir,
  StackComponentError,
  type StackSecrets,
  stackEnv,
  stackUp,
  statePaths,
} from '@hostplane/localstack';
import { repoRoot, type StackEnv } from '@hostplane/testing';
// The same staleness rule the panel's browser tests use, so both build exactly when needed.
import { buildIsStale } from '../apps/web/src/testing/servers.ts';
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

const API_PORT = Number(process.env.PORT ?? 8080);
const WEB_PORT = Number(process.env.WEB_PORT ?? 3000);
const ADMIN_EMAIL = process.env.HOSTPLANE_ADMIN_EMAIL ?? 'admin@hostplane.test';

/** Migrations first, then an admin when there is none: its generated password is printed this once. */
async function ensureAdmin(env: StackEnv): Promise<void> {
  const { openMigratedPanelDb } = await import('@hostplane/db');
  const { ensureAdminUser } = await import('@hostplane/api');
  const db = await openMigratedPanelDb(env.DATABASE_URL);
  try {
    const admin = await ensureAdminUser(db, ADMIN_EMAIL);
    if (admin.created) {
      console.log('\nPanel admin created (the password is shown only now):');
      console.log(`  email    ${admin.email}\n  password ${admin.password}`);
    } else {
      console.log('\nPanel admin: exists already (its password was printed at the first start;');
      console.log('  another: npx hostplane admin create --email E --password-stdin)');
    }
  } finally {
    await db.destroy();
  }
}

function spawnPart(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => console.log(`${name} stopped (${signal ?? code})`));
  return child;
}

/** `hostplane serve` (API + worker) and the Next.js panel against the stack, until Ctrl-C. */
async function startPanel(env: StackEnv): Promise<number> {
  await ensureAdmin(env);
  const webRoot = path.join(repoRoot, 'apps', 'web');
  const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (buildIsStale()) {
    console.log('building the panel (next build, once per change)…');
    const built = spawnSync(process.execPath, [nextBin, 'build'], {
      cwd: webRoot,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (built.status !== 0) return 1;
  }
  const apiUrl = `http://127.0.0.1:${API_PORT}`;
  const serve = spawnPart('hostplane serve', ['apps/cli/bin/hostplane.js', 'serve'], {
    ...process.env,
    ...env,
    PORT: String(API_PORT),
    // The web server (server.mjs) is the one proxy in front of the API: one X-Forwarded-For hop.
    TRUST_PROXY: '1',
    // Each site's certificate status: the stack's edge, its certificates chaining to Pebble's root.
    EDGE_TLS_ADDR: env.HTTPS_ADDR,
    EDGE_TLS_CA_FILE: env.ACME_ROOT_CA,
  });
  const web = spawnPart(
    'panel web',
    [path.join(webRoot, 'server.mjs'), '--hostname', '127.0.0.1', '--port', String(WEB_PORT)],
    { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HOSTPLANE_API_URL: apiUrl },
    webRoot, // Next finds .next from its working directory
  );
  console.log(`\nPanel      http://127.0.0.1:${WEB_PORT}`);
  console.log(`API        ${apiUrl}/api/v1`);
  console.log(`OpenAPI    ${apiUrl}/api/v1/openapi.json`);
  console.log('Ctrl-C stops the panel; the stack keeps running (npx hostplane stack down stops it).\n');
  const stop = () => {
    serve.kill('SIGTERM');
    web.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const codes = await Promise.all(
    [serve, web].map((c) => new Promise<number>((resolve) => c.once('exit', (code) => resolve(code ?? 0)))),
  );
  return Math.max(...codes);
}

async function main(): Promise<number> {
  // The real node unless HOSTPLANE_STACK_NODE says kwok (package.json's `start` sets real by default):
  // its images are built by setup (cached by their inputs).
  const { localcluster } = await runSetup({ images: nodeProfile() === 'real' });
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
