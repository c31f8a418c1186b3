// Container images without a registry (REAL-NODE.md "Images without a registry"): root file systems
// from Debian packages (mmdebstrap), turned into image archives (umoci + skopeo), cached by a hash of
// their inputs under ~/.cache/hostplane/images and imported into the real node's containerd.
// The references stay those production pins; docs/local-images.md lists where the local build differs.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePlatformConfig } from '@hostplane/platform';
import { z } from 'zod';
import { PAUSE_IMAGE } from './components/node-config.ts';
import { buildGoBinariesRootfs, type GoBinariesImageRecipe, goBinariesImageRecipes } from './go-images.ts';
import { ensureBaseLayout, type LayeredImageRecipe, packLayeredImage } from './layered-image.ts';
import { localclusterModuleDir, parseGoMod } from './localcluster-build.ts';
import { mailDnsImageRecipes } from './mail-dns-images.ts';
import { STAGED_IMAGE_NAMES, stagedImageRecipes } from './platform-images.ts';
import { prometheusImageRecipe } from './prometheus-image.ts';
import { fileIn, mariadbRecipe, PHP_FPM_CONF, phpRecipe, users, wordpressRecipes } from './runtime-images.ts';
import { repoRoot } from './stack-env.ts';
import { webmailImageRecipe } from './webmail-image.ts';

const run = promisify(execFile);
/** Bump when the build recipe itself changes (how layers are made), so every archive is rebuilt. */
const RECIPE_VERSION = '1';
const SUITE = 'bookworm';
/** A test tool's image (not a platform image): what node tests run as clients and decoy listeners. */
export const NETTEST_IMAGE = 'ghcr.io/hostplane/nettest:1.0';
export type DebianSuite = 'bookworm' | 'trixie';

export interface ImageConfig {
  entrypoint: string[];
  cmd?: string[];
  user: string;
  workdir?: string;
  exposedPorts?: string[];
  env?: Record<string, string>;
  /** OCI annotations of the image config (org.opencontainers.image.version, .source, …). */
  labels?: Record<string, string>;
}

export interface DebianImageRecipe {
  kind: 'debian';
  /** Short name for `images build --only NAME`. */
  name: string;
  ref: string;
  variant: 'essential' | 'minbase';
  /** Debian suite; bookworm when absent (absent keeps the cache keys of the bookworm images). */
  suite?: DebianSuite;
  packages: string[];
  /** Shell run before the remaining packages install (mmdebstrap --essential-hook), root fs as $1. */
  essential?: string;
  /** Shell run on the host with the root file system as $1 (mmdebstrap --customize-hook). */
  customize: string;
  config: ImageConfig;
}

export interface PauseImageRecipe {
  kind: 'pause';
  name: 'pause';
  ref: string;
}

/** A static binary alone in its image (`/<name>`), e.g. CoreDNS built from its Go module: no Debian
 * mirror needed, so `stack up` builds it like the pause image. */
export interface BinaryImageRecipe {
  kind: 'binary';
  name: string;
  ref: string;
  /** Absolute path of the cached binary; it carries the hash of the build's inputs. */
  binary: string;
  config: ImageConfig;
}

export type ImageRecipe =
  | DebianImageRecipe
  | PauseImageRecipe
  | BinaryImageRecipe
  | GoBinariesImageRecipe
  | LayeredImageRecipe;

const DOCS_EXCLUDES = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*'];

/** nginx as the unprivileged upstream image runs it: no `user`, pid and temp files in writable scratch dirs. */
const NGINX_CONF = `
worker_processes 1;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  include /etc/nginx/conf.d/*.conf;
}
`;

/** The images the local stack needs, under the references the platform config pins. */
export function imageRecipes(platform = parsePlatformConfig({})): ImageRecipe[] {
  const { images } = platform;
  return [
    { kind: 'pause', name: 'pause', ref: PAUSE_IMAGE },
    {
      kind: 'debian',
      name: 'site-static',
      ref: images.nginx,
      variant: 'essential',
      packages: ['nginx-light'],
      customize: [
        users('nginx', 101),
        'rm -f "$R/etc/nginx/sites-enabled/default"',
        'mkdir -p "$R/var/cache/nginx" "$R/usr/share/nginx/html" "$R/etc/nginx/conf.d" "$R/var/www/html"',
        fileIn('/etc/nginx/nginx.conf', NGINX_CONF),
        fileIn(
          '/etc/nginx/conf.d/default.conf',
          'server {\n  listen 8080;\n  root /usr/share/nginx/html;\n  location / { try_files $uri $uri/ =404; }\n}',
        ),
        fileIn(
          '/usr/share/nginx/html/index.html',
          '<!doctype html><title>Ready</title><p>This site is ready to receive content.</p>',
        ),
      ].join('\n'),
      config: {
        entrypoint: ['/usr/sbin/nginx', '-e', 'stderr', '-g', 'daemon off;'],
        user: '101:101',
        exposedPorts: ['8080/tcp'],
      },
    },
    {
      kind: 'debian',
      name: 'site-php',
      ref: images.phpFpm,
      variant: 'essential',
      packages: [
        'php8.2-fpm',
        'php8.2-mysql',
        'php8.2-gd',
        'php8.2-curl',
        'php8.2-xml',
        'php8.2-mbstring',
        'php8.2-zip',
      ],
      customize: [
        users('www-data-alpine', 82),
        'mkdir -p "$R/var/www/html" "$R/usr/local/sbin"',
        'ln -sf /usr/sbin/php-fpm8.2 "$R/usr/local/sbin/php-fpm"',
        'ln -sf /usr/bin/php8.2 "$R/usr/local/bin/php"',
        fileIn('/etc/php/8.2/fpm/php-fpm.conf', PHP_FPM_CONF),
        'rm -f "$R/etc/php/8.2/fpm/pool.d/www.conf"',
      ].join('\n'),
      config: {
        entrypoint: [
          '/usr/sbin/php-fpm8.2',
          '--nodaemonize',
          '--fpm-config',
          '/etc/php/8.2/fpm/php-fpm.conf',
        ],
        user: '82:82',
        workdir: '/var/www/html',
        exposedPorts: ['9000/tcp'],
      },
    },
    {
      // The per-customer SFTP pod (docs/sftp.md): the gateway execs sftp-server in it; PID 1 only waits.
      kind: 'debian',
      name: 'sftp-server',
      ref: images.sftp,
      variant: 'essential',
      packages: ['openssh-sftp-server'],
      customize: [
        // sftp-server refuses to start for a uid without a passwd entry.
        users('www-data-alpine', 82),
        users('nginx', 101),
        'mkdir -p "$R/sites"',
      ].join('\n'),
      config: {
        entrypoint: ['/usr/bin/sleep', 'infinity'],
        user: '82:82',
        workdir: '/sites',
      },
    },
    {
      // The node tests' TCP/UDP client and listener (docs/isolation.md): bash, coreutils' timeout, socat.
      kind: 'debian',
      name: 'nettest',
      ref: NETTEST_IMAGE,
      variant: 'essential',
      packages: ['socat'],
      customize: '',
      config: { entrypoint: ['/bin/bash'], user: '10001:10001' },
    },
    ...platform.php.versions.map((v) => phpRecipe(v.version, v.image)),
    mariadbRecipe(images.mariadb),
    ...wordpressRecipes(platform),
    ...mailDnsImageRecipes(),
    webmailImageRecipe(),
    prometheusImageRecipe(),
    ...goBinariesImageRecipes(),
  ];
}

export function imagesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.HOSTPLANE_CACHE_DIR ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hostplane');
  return path.join(base, 'images');
}

/** The Debian mirrors mmdebstrap builds from (suite, -updates, -security). */
export function debianMirrors(suite: DebianSuite = SUITE): string[] {
  return [
    `deb http://deb.debian.org/debian ${suite} main`,
    `deb http://deb.debian.org/debian ${suite}-updates main`,
    `deb http://deb.debian.org/debian-security ${suite}-security main`,
  ];
}
export const DEBIAN_MIRRORS = debianMirrors();

/** Cache key of one image: everything that shapes it (pure, tested). */
export function imageKey(recipe: ImageRecipe, pauseSource = ''): string {
  const hash = createHash('sha256');
  const mirrors =
    recipe.kind === 'debian'
      ? debianMirrors(recipe.suite)
      : recipe.kind === 'layered'
        ? debianMirrors(recipe.base.suite)
        : DEBIAN_MIRRORS;
  hash.update(JSON.stringify({ RECIPE_VERSION, SUITE, recipe, mirrors, pauseSource }));
  return `${recipe.name}-${hash.digest('hex').slice(0, 12)}`;
}

/** `umoci config` flags for an image configuration (pure, tested). */
export function umociConfigArgs(config: ImageConfig): string[] {
  return [
    '--clear=config.entrypoint',
    '--clear=config.cmd',
    ...config.entrypoint.flatMap((arg) => [`--config.entrypoint=${arg}`]),
    ...(config.cmd ?? []).flatMap((arg) => [`--config.cmd=${arg}`]),
    `--config.user=${config.user}`,
    ...(config.workdir ? [`--config.workingdir=${config.workdir}`] : []),
    ...(config.exposedPorts ?? []).map((port) => `--config.exposedports=${port}`),
    ...Object.entries(config.env ?? {}).map(([k, v]) => `--config.env=${k}=${v}`),
    ...Object.entries(config.labels ?? {}).map(([k, v]) => `--config.label=${k}=${v}`),
    '--os=linux',
    '--architecture=amd64',
    '--author=hostplane (local build)',
  ];
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs a command; prints its output lines through `progress` when given; rejects with the tail. */
function runStreaming(
  command: string,
  args: string[],
  progress?: (line: string) => void,
  cwd?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        progress?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${command} ${args.slice(0, 3).join(' ')} … failed (exit ${code}):\n${tail.join('\n')}`),
        );
    });
  });
}

/** The pause program of the pinned Kubernetes module (build/pause/linux/pause.c). */
export async function pauseSource(): Promise<{ file: string; content: string }> {
  const { kubernetesVersion } = parseGoMod(
    await readFile(path.join(localclusterModuleDir, 'go.mod'), 'utf8'),
  );
  const { stdout } = await run('go', ['env', 'GOMODCACHE']);
  const file = path.join(
    stdout.trim(),
    `k8s.io/kubernetes@${kubernetesVersion}`,
    'build/pause/linux/pause.c',
  );
  if (!(await exists(file))) {
    await run('go', ['mod', 'download', `k8s.io/kubernetes@${kubernetesVersion}`], {
      cwd: localclusterModuleDir,
    });
  }
  return { file, content: await readFile(file, 'utf8') };
}

/** A root file system tar → an image archive under `ref` (umoci builds the OCI layout, skopeo writes it). */
export async function packImage(
  work: string,
  rootfsTar: string,
  config: ImageConfig,
  ref: string,
  out: string,
): Promise<void> {
  const layout = path.join(work, 'oci');
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:build`]);
  await run('umoci', ['raw', 'add-layer', '--no-history', '--image', `${layout}:build`, rootfsTar]);
  await run('umoci', ['config', '--no-history', '--image', `${layout}:build`, ...umociConfigArgs(config)]);
  // A docker archive carries the full reference in its manifest, so `ctr image import` names it exactly.
  await run('skopeo', ['copy', '--quiet', `oci:${layout}:build`, `docker-archive:${out}:${ref}`]);
}

async function buildPauseRootfs(work: string, source: string): Promise<string> {
  const rootfs = path.join(work, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  await run('gcc', ['-Os', '-static', '-DVERSION=v3.10.2', '-o', path.join(rootfs, 'pause'), source]);
  await run('strip', [path.join(rootfs, 'pause')]);
  const tar = path.join(work, 'rootfs.tar');
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', tar, 'pause']);
  return tar;
}

async function buildBinaryRootfs(work: string, recipe: BinaryImageRecipe): Promise<string> {
  const rootfs = path.join(work, 'rootfs');
  const name = path.basename(recipe.binary);
  await mkdir(path.join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
  await run('install', ['-m', '0755', recipe.binary, path.join(rootfs, name)]);
  const tar = path.join(work, 'rootfs.tar');
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', tar, name, 'tmp']);
  return tar;
}

async function buildDebianRootfs(
  work: string,
  recipe: DebianImageRecipe,
  progress: (line: string) => void,
): Promise<string> {
  const hook = path.join(work, 'customize.sh');
  await writeFile(hook, `#!/bin/sh\nset -eu\nR="$1"\n${recipe.customize}\n`, { mode: 0o755 });
  const essentialHook = path.join(work, 'essential.sh');
  if (recipe.essential)
    await writeFile(essentialHook, `#!/bin/sh\nset -eu\nR="$1"\n${recipe.essential}\n`, { mode: 0o755 });
  const suite = recipe.suite ?? SUITE;
  const tar = path.join(work, 'rootfs.tar');
  await runStreaming(
    'mmdebstrap',
    [
      `--variant=${recipe.variant}`,
      `--include=${recipe.packages.join(',')}`,
      ...DOCS_EXCLUDES.map((glob) => `--dpkgopt=path-exclude=${glob}`),
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      ...(recipe.essential ? [`--essential-hook=sh ${essentialHook} "$1"`] : []),
      `--customize-hook=sh ${hook} "$1"`,
      '--customize-hook=rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*',
      '--format=tar',
      suite,
      tar,
      ...debianMirrors(suite),
    ],
    progress,
  );
  return tar;
}

/** The package list (SBOM) written beside an archive: `<archive>.sbom.txt`. */
export function sbomPath(archive: string): string {
  return `${archive.replace(/\.tar$/, '')}.sbom.txt`;
}

export interface BuiltImage {
  name: string;
  ref: string;
  archive: string;
  cached: boolean;
  seconds: number;
}

/** Builds one image unless its archive is cached; returns the archive. */
export async function buildImage(recipe: ImageRecipe, say: (line: string) => void): Promise<BuiltImage> {
  const started = Date.now();
  const pause = recipe.kind === 'pause' ? await pauseSource() : undefined;
  const key = imageKey(recipe, pause?.content);
  const dir = imagesCacheDir();
  const archive = path.join(dir, `${key}.tar`);
  if (await exists(archive)) return { name: recipe.name, ref: recipe.ref, archive, cached: true, seconds: 0 };
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(path.join(dir, `.build-${recipe.name}-`));
  say(`  ${recipe.name}: building ${recipe.ref}`);
  let lastSaid = 0;
  const progress = (line: string): void => {
    // mmdebstrap is chatty: one line every few seconds tells the person it moves.
    if (Date.now() - lastSaid < 5_000) return;
    lastSaid = Date.now();
    say(`  ${recipe.name}: ${formatSeconds(Date.now() - started)} ${line.slice(0, 110)}`);
  };
  try {
    if (recipe.kind === 'layered') {
      // A cached base (built by mmdebstrap only when ITS inputs change) plus the application's layer.
      const baseKey = imageKey(recipe.base);
      const base = await ensureBaseLayout(
        dir,
        baseKey,
        (baseWork) => buildDebianRootfs(baseWork, recipe.base, progress),
        say,
      );
      say(
        `  ${recipe.name}: base ${base.cached ? 'cached' : 'built'} (${formatSeconds(Date.now() - started)}), adding the application layer`,
      );
      const tmp = path.join(work, 'image.tar');
      const sbom = await packLayeredImage(
        work,
        dir,
        baseKey,
        base,
        recipe,
        umociConfigArgs(recipe.config),
        tmp,
      );
      await writeFile(sbomPath(archive), sbom);
      await rename(tmp, archive);
      const seconds = (Date.now() - started) / 1000;
      say(`  ${recipe.name}: built in ${seconds.toFixed(1)} s → ${archive}`);
      return { name: recipe.name, ref: recipe.ref, archive, cached: false, seconds };
    }
    const rootfs =
      recipe.kind === 'pause'
        ? await buildPauseRootfs(work, pause!.file)
        : recipe.kind === 'binary'
          ? await buildBinaryRootfs(work, recipe)
          : recipe.kind === 'go-binaries'
            ? await buildGoBinariesRootfs(work, recipe, say)
            : await buildDebianRootfs(work, recipe, progress);
    say(`  ${recipe.name}: root file system done (${formatSeconds(Date.now() - started)}), packing`);
    const config: ImageConfig =
      recipe.kind === 'pause' ? { entrypoint: ['/pause'], user: '65535:65535' } : recipe.config;
    const tmp = path.join(work, 'image.tar');
    await packImage(work, rootfs, config, recipe.ref, tmp);
    // The package list the recipe wrote into the image (Debian + npm), also beside the archive.
    const sbom = await run('tar', ['-xOf', rootfs, './usr/share/hostplane/sbom.txt'], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch(() => undefined);
    if (sbom) await writeFile(sbomPath(archive), sbom.stdout);
    await rename(tmp, archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  say(`  ${recipe.name}: built in ${seconds.toFixed(1)} s → ${archive}`);
  return { name: recipe.name, ref: recipe.ref, archive, cached: false, seconds };
}

const indexSchema = z.array(z.object({ name: z.string(), ref: z.string(), archive: z.string() }));
type ImageIndex = z.infer<typeof indexSchema>;
/**
 * Which archive each image name was last built from, per checkout (`.hostplane/images.json` of this
 * repository): the archives are shared by every checkout on the machine (one cache by inputs), but what
 * a stack imports must be what this tree's recipes built — a shared index let one branch's build of an
 * image (another panel, another mariadb) end up on a stack started from another branch.
 */
const indexFile = (): string => path.join(repoRoot, '.hostplane', 'images.json');

async function readIndex(): Promise<ImageIndex> {
  try {
    return indexSchema.parse(JSON.parse(await readFile(indexFile(), 'utf8')));
  } catch {
    return [];
  }
}

async function recordInIndex(built: BuiltImage[]): Promise<void> {
  const byName = new Map((await readIndex()).map((entry) => [entry.name, entry]));
  for (const image of built)
    byName.set(image.name, { name: image.name, ref: image.ref, archive: image.archive });
  await mkdir(path.dirname(indexFile()), { recursive: true });
  await writeFile(`${indexFile()}.tmp`, `${JSON.stringify([...byName.values()], null, 2)}\n`);
  await rename(`${indexFile()}.tmp`, indexFile());
}

/** `hostplane images build [--only NAME]`: builds what is missing from the cache, one after the other. */
export async function buildImages(options: {
  only?: string[];
  say: (line: string) => void;
  /** The repository whose build the panel and web images package. */
  repoRoot: string;
}): Promise<BuiltImage[]> {
  const known = [...imageRecipes().map((r) => r.name), ...STAGED_IMAGE_NAMES];
  const unknown = (options.only ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown image ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  const wanted = (name: string) => !options.only?.length || options.only.includes(name);
  // Asked for by name, a staged image must build; as part of "everything", one whose inputs are
  // missing (no `npm run build` yet) is skipped with a note.
  const staged = await stagedImageRecipes(
    options.repoRoot,
    imagesCacheDir(),
    STAGED_IMAGE_NAMES.filter(wanted),
    options.say,
    { skipMissingInputs: !options.only?.length },
  );
  const selected = [...imageRecipes(), ...staged].filter((r) => wanted(r.name));
  // Two builds at a time: a cold build is mostly mmdebstrap waiting on the mirror and dpkg, so a second
  // one keeps the cores busy (the cold setup of ~20 images would otherwise be their sum).
  const built: BuiltImage[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    while (next < selected.length) {
      const i = next++;
      const recipe = selected[i]!;
      options.say(`[${i + 1}/${selected.length}] ${recipe.name} (${recipe.ref})`);
      const image = await buildImage(recipe, options.say);
      if (image.cached) options.say(`  ${recipe.name}: cached (${image.archive})`);
      built[i] = image;
    }
  };
  await Promise.all([worker(), worker()]);
  await recordInIndex(built);
  return built;
}

export interface CachedImage {
  name: string;
  ref: string;
  archive: string;
}

/** The images `images build` left in the cache (what `images push` sends), archives present. */
export async function cachedImages(): Promise<CachedImage[]> {
  const out: CachedImage[] = [];
  for (const entry of await readIndex()) if (await exists(entry.archive)) out.push(entry);
  return out;
}

/** The references containerd already holds in the CRI's namespace. */
async function importedRefs(ctr: CtrRunner): Promise<Set<string>> {
  const { stdout } = await ctr(['images', 'list', '--quiet']);
  return new Set(stdout.split('\n').filter(Boolean));
}

export type CtrRunner = (args: string[], timeoutMs?: number) => Promise<{ stdout: string; stderr: string }>;

/** Full reference as containerd names it (`php:8` → `docker.io/library/php:8`). */
export function normalizeRef(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  const hasRegistry =
    ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

/** Builds `recipe` when its archive is missing and imports it into the node when containerd lacks it. */
export async function ensureImageInNode(
  ctr: CtrRunner,
  recipe: ImageRecipe,
  say: (line: string) => void,
): Promise<void> {
  if ((await importedRefs(ctr)).has(normalizeRef(recipe.ref))) return;
  const image = await buildImage(recipe, say);
  await ctr(['images', 'import', image.archive], 300_000);
  say(`  imported ${recipe.ref} into the node's containerd`);
}

/**
 * Imports into the node's containerd every cached image it lacks: the pause image (built here when
 * missing; it needs only gcc and the Kubernetes module) and whatever `images build` left in the cache.
 */
export async function importImages(
  ctr: CtrRunner,
  say: (line: string) => void,
  options: {
    buildPause: boolean;
    /** JSON file (in the node's state) remembering which archive each reference was imported from:
     * a rebuilt image under the same tag (our own images, cached by their inputs) is imported again. */
    recordFile?: string;
  },
): Promise<string[]> {
  const have = await importedRefs(ctr);
  const recorded: Record<string, string> = options.recordFile
    ? await readFile(options.recordFile, 'utf8')
        .then((text) => JSON.parse(text) as Record<string, string>)
        .catch(() => ({}))
    : {};
  const current = (ref: string, archive: string) =>
    have.has(normalizeRef(ref)) && (!options.recordFile || recorded[ref] === archive);
  const entries = await readIndex();
  if (options.buildPause && !have.has(PAUSE_IMAGE)) {
    const pause = await buildImage(imageRecipes().find((r) => r.kind === 'pause')!, say);
    entries.push({ name: pause.name, ref: pause.ref, archive: pause.archive });
  }
  const imported: string[] = [];
  const pending: typeof entries = [];
  for (const entry of entries)
    if (!current(entry.ref, entry.archive) && (await exists(entry.archive))) pending.push(entry);
  // Two imports at a time: containerd unpacks one archive's layers while it reads the next.
  const importNext = async (): Promise<void> => {
    for (let entry = pending.shift(); entry; entry = pending.shift()) {
      await ctr(['images', 'import', entry.archive], 300_000);
      have.add(normalizeRef(entry.ref));
      recorded[entry.ref] = entry.archive;
      imported.push(entry.ref);
      say(`  imported ${entry.ref} into the node's containerd`);
    }
  };
  await Promise.all([importNext(), importNext()]);
  if (options.recordFile && imported.length > 0)
    await writeFile(options.recordFile, `${JSON.stringify(recorded, null, 2)}\n`);
  return imported;
}
