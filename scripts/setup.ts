// The setup step shared by `npm start`, `npm test` and `.ci/run` (also `npm run setup`):
// Debian packages of the local stack, Node and Go checks, the tools/localcluster build and the Go-module
// programs (Traefik, Pebble), all cached.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  backupGoPrograms,
  buildImages,
  checkGo,
  DEBIAN_PACKAGES,
  DEBIAN_SERVICES,
  ensureGoProgram,
  ensureLocalcluster,
  type GoProgram,
  repoRoot,
  stackGoPrograms,
} from '@hostplane/localstack';

const say = (line: string) => console.log(line);
const POLICY_RC = '/usr/sbin/policy-rc.d';
// Postfix asks which kind of mail server it is; the stack writes its own configuration elsewhere.
const DEBCONF = [
  'postfix postfix/main_mailer_type select No configuration',
  'postfix postfix/mailname string localhost',
  // The stack's webmail brings its own SQLite database: no dbconfig-common setup of Debian's.
  'roundcube-core roundcube/dbconfig-install boolean false',
].join('\n');

export class SetupError extends Error {}

function isInstalled(pkg: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export function missingPackages(): string[] {
  return DEBIAN_PACKAGES.filter((pkg) => !isInstalled(pkg));
}

function runLoud(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  say(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0)
    throw new SetupError(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** Installing Debian's daemons starts them; they must not: they would hold memory and their own ports. */
function stopSystemServices(): void {
  const hasSystemctl = spawnSync('systemctl', ['is-system-running'], { encoding: 'utf8' }).status !== null;
  for (const service of DEBIAN_SERVICES) {
    if (!existsSync(`/etc/init.d/${service}`) && !hasSystemctl) continue;
    if (hasSystemctl) spawnSync('systemctl', ['disable', '--now', service], { stdio: 'ignore' });
    if (existsSync(`/etc/init.d/${service}`)) {
      spawnSync('service', [service, 'stop'], { stdio: 'ignore' });
      spawnSync('update-rc.d', [service, 'disable'], { stdio: 'ignore' });
    }
  }
}

function installPackages(missing: string[]): void {
  const aptLine = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new SetupError(
      `missing Debian packages: ${missing.join(' ')}\nrun as root (or with sudo):\n  sudo apt-get update && sudo ${aptLine}`,
    );
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  // policy-rc.d answering 101 keeps every daemon from starting during the install (Debian's
  // invoke-rc.d contract); one already in place (containers ship one) is left as it is.
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('debconf-set-selections', { input: `${DEBCONF}\n` });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    runLoud('apt-get', ['update'], env);
    runLoud('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', ...missing], env);
  } finally {
    if (ownPolicy) rmSync(POLICY_RC, { force: true });
  }
  stopSystemServices();
}

/** The `engines` floor of package.json, checked here because npm only warns about it. */
export function nodeProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return undefined;
  return [
    `Node 22.12 or newer is needed; this is v${version}.`,
    'Get the version CI uses (official binaries from the npm registry, cached in ~/.cache/hostplane/node):',
    '  eval "$(scripts/install-node.sh)"   # then npm ci again',
    'or Node 22 from nodesource.com / your distribution.',
  ].join('\n');
}

function checkNode(): void {
  const problem = nodeProblem();
  if (problem) throw new SetupError(problem);
}

function checkDebian(): void {
  if (!existsSync('/etc/debian_version')) {
    throw new SetupError('the local stack runs on Debian or Ubuntu (apt-get and Debian package names)');
  }
}

/**
 * Programs the tests run that setup does not install: a new machine of this kind comes with them
 * (kubectl from Google Cloud SDK's apt repository, /work/.library/env/packages/installed-*.txt). A
 * rehearsal root without them failed only in the node tests, 25 minutes in: say it at the start.
 */
export const MACHINE_PROGRAMS: { name: string; usedBy: string }[] = [
  { name: 'kubectl', usedBy: 'the node tests and bench:certs (exec, logs, auth can-i against the stack)' },
];

export function missingMachinePrograms(): string[] {
  return MACHINE_PROGRAMS.filter(
    (p) => spawnSync('/bin/sh', ['-c', `command -v ${p.name}`], { stdio: 'ignore' }).status !== 0,
  ).map((p) => `${p.name} (${p.usedBy})`);
}

/** Runs the steps one after the other (one lane of the setup). */
async function lane(steps: Array<() => Promise<unknown>>): Promise<void> {
  for (const step of steps) await step();
}

/**
 * Everything the local stack needs on this machine; returns the localcluster binary. The Go builds
 * run in two lanes beside the image builds (mmdebstrap waits on the Debian mirror and dpkg while the
 * compilers use the cores): on a cold 2-core machine that is minutes less than one after the other.
 * All are cached by their inputs, so a warm setup takes seconds.
 */
export async function runSetup(options: { images?: boolean } = {}): Promise<{ localcluster: string }> {
  checkNode();
  checkDebian();
  const missing = missingPackages();
  if (missing.length > 0) installPackages(missing);
  else say(`Debian packages: all ${DEBIAN_PACKAGES.length} present`);
  const go = await checkGo().catch((err: Error) => {
    throw new SetupError(err.message);
  });
  say(`Go ${go.version} (needs ${go.required})`);
  let localcluster = '';
  // The S3 store (versitygw), Velero and its AWS plugin, Traefik (the edge), Pebble (the ACME CA) and
  // CoreDNS (the real node's cluster DNS) from their Go modules: the stack runs in a network namespace
  // without the module proxy, so they are built here, outside it.
  const program = (p: GoProgram) => async () => {
    const build = await ensureGoProgram(p, say);
    say(`${p.name} ${build.version}: ${build.dir}`);
  };
  await Promise.all([
    lane([
      async () => {
        const { binary, version } = await ensureLocalcluster(say);
        say(`localcluster ${version}: ${binary}`);
        localcluster = binary;
      },
      ...backupGoPrograms.map(program),
    ]),
    lane(stackGoPrograms.map(program)),
    // The real node's images (Debian packages; `npm start` and the node tests run on the real node).
    ...(options.images
      ? [
          lane([
            async () => {
              const built = await buildImages({ say, repoRoot });
              say(`images: ${built.map((i) => `${i.name}${i.cached ? '' : ' (built)'}`).join(', ')}`);
            },
          ]),
        ]
      : []),
  ]);
  return { localcluster };
}

async function main(): Promise<void> {
  try {
    await runSetup({ images: true });
  } catch (err) {
    console.error(`setup: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
