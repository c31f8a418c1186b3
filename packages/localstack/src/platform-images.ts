// The platform's own images (DESIGN.md §9 "Images"): `panel` (API + worker + CLI from the compiled
// build on the official Node runtime), `web` (Next.js standalone) and `traefik` (the binary built from
// the pinned module). Their inputs are staged from this repository into a folder named by a hash of
// its content, so the recipe (which copies from that folder) and hence the archive's cache key change
// exactly when an input does. Nothing is compiled inside the image: no build tools in the final image.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseBootstrapConfig, TRAEFIK_VERSION } from '@hostplane/platform';
import { traefikImageRecipe } from './edge-image.ts';
import { cachedGoProgram, ensureGoProgram } from './go-program-build.ts';
import { traefikProgram } from './go-programs.ts';
import type { DebianImageRecipe } from './images.ts';
import type { LayeredImageRecipe } from './layered-image.ts';

const run = promisify(execFile);

/** The panel's and web's uid (restrictedPod(10001) in packages/platform's panel-system). */
export const PANEL_IMAGE_UID = 10001;
export const SOURCE_URL = 'https://github.com/hostplane/hostplane';
/** Where the staged application lives in the image. */
const APP_DIR = '/opt/hostplane';
/** Bump when the layout of a staged folder changes (part of its name, hence of the image's key). */
const STAGE_VERSION = '3';
const WEB_STAGE_VERSION = '3';

/**
 * The web image's entry point: Next.js' standalone build carries its resolved configuration (in
 * required-server-files.json) and expects it in __NEXT_PRIVATE_STANDALONE_CONFIG, as its generated
 * server.js sets it; without it, Next tries to load next.config and webpack, which are not traced.
 */
export const WEB_START_MJS = `import { readFileSync } from 'node:fs';
const files = JSON.parse(readFileSync(new URL('./.next/required-server-files.json', import.meta.url), 'utf8'));
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(files.config);
await import('./server.mjs');
`;

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** The references production pins for our images (bootstrap config `systemImages`). */
export function platformImageRefs(): { panel: string; web: string; traefik: string } {
  const systemImages = systemImagePins();
  return { panel: systemImages.panel, web: systemImages.web, traefik: systemImages.traefik };
}

/** Every image reference the bootstrap config pins (config.bootstrap.systemImages defaults). */
export function systemImagePins() {
  return parseBootstrapConfig(PIN_ONLY_CONFIG).bootstrap.systemImages;
}

/** The smallest valid bootstrap config: only its defaults (the image pins) are read from it. */
const PIN_ONLY_CONFIG = {
  bootstrap: {
    hosts: { panel: 'panel.example.com', mail: 'mail.example.com' },
    acme: { email: 'hostmaster@example.com' },
    backup: { bucket: 'pins', accessKeyId: 'x', secretAccessKey: 'x' },
    secrets: Object.fromEntries(
      [
        'pdnsApiKey',
        'pdnsDbPassword',
        'mailDbRootPassword',
        'mailDbPassword',
        'mailDbReadonlyPassword',
        'postgresPassword',
        'panelSecretKey',
        'grafanaAdminPassword',
      ].map((k) => [k, 'x'.repeat(16)]),
    ),
  },
};

/** `ghcr.io/hostplane/panel:0.1.0` → `0.1.0`. */
export function tagOf(ref: string): string {
  return ref.slice(ref.lastIndexOf(':') + 1);
}

export function imageLabels(title: string, version: string): Record<string, string> {
  return {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.source': SOURCE_URL,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.vendor': 'Hostplane',
  };
}

/** Shell lines for the customize hook: an unprivileged user with a fixed uid and no home. */
function userLines(name: string, uid: number): string {
  return [
    `grep -q '^${name}:' "$R/etc/passwd" || echo '${name}:x:${uid}:${uid}:${name}:/nonexistent:/usr/sbin/nologin' >> "$R/etc/passwd"`,
    `grep -q '^${name}:' "$R/etc/group" || echo '${name}:x:${uid}:' >> "$R/etc/group"`,
  ].join('\n');
}

function plainPath(file: string): string {
  if (!/^\/[\w./@+-]+$/.test(file)) throw new Error(`path must be absolute and plain: ${file}`);
  return file;
}

/** The npm package a bare import specifier names (`@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`). */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || /^[./]/.test(specifier)) return undefined;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.@/-]*)?$/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  if (builtinModules.includes(name)) return undefined;
  return name;
}

/** Bare specifiers of `import … from "x"`, `import("x")`, `require("x")` in bundled JavaScript. */
export function importedPackages(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\s+["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns)
    for (const match of code.matchAll(pattern)) {
      const name = packageOfSpecifier(match[1]!);
      if (name) found.add(name);
    }
  return [...found].sort();
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Node's lookup: `<from>/node_modules/<name>`, then each parent folder's, up to the repository root. */
async function resolvePackageDir(name: string, from: string, root: string): Promise<string | undefined> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (await exists(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/**
 * Every package folder a set of entry packages needs at run time (dependencies, installed optional and
 * peer dependencies), as paths relative to `root`, with name@version for the SBOM. Missing optional or
 * peer packages are skipped, as Node would at run time (they are try/catch imports).
 */
export async function runtimePackages(
  root: string,
  entries: string[],
): Promise<{ dirs: string[]; versions: string[] }> {
  const seen = new Map<string, string>();
  // The entries come from a scan of bundled code, which may match words in strings: a name that is
  // not installed is not an import (a real one missing fails the image's smoke run, not silently).
  const queue: { name: string; from: string; required: boolean }[] = entries.map((name) => ({
    name,
    from: root,
    required: false,
  }));
  while (queue.length > 0) {
    const { name, from, required } = queue.shift()!;
    const dir = await resolvePackageDir(name, from, root);
    if (!dir) {
      if (required)
        throw new Error(`package ${name} (needed from ${path.relative(root, from) || '.'}) is not installed`);
      continue;
    }
    if (seen.has(dir)) continue;
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    seen.set(dir, `${pkg.name ?? name}@${pkg.version ?? '?'}`);
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      queue.push({ name: dep, from: dir, required: true });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {}))
      queue.push({ name: dep, from: dir, required: false });
    // Peers marked optional (typescript for type-level helpers, …) are the application's choice.
    for (const dep of Object.keys(pkg.peerDependencies ?? {}))
      if (!pkg.peerDependenciesMeta?.[dep]?.optional) queue.push({ name: dep, from: dir, required: false });
  }
  const dirs = [...seen.keys()].map((dir) => path.relative(root, dir)).sort();
  return { dirs, versions: [...new Set(seen.values())].sort() };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() || entry.isSymbolicLink()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/** Content hash of files (paths relative to `base` and bytes). */
async function hashFiles(base: string, files: string[], extra: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(extra);
  for (const file of files) {
    hash.update(`\0${path.relative(base, file)}\0`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 12);
}

export function stagingDir(cacheDir: string): string {
  return path.join(cacheDir, 'stage');
}

/** The Node runtime of `.node-version`, as scripts/install-node.sh caches it (official nodejs.org build). */
export async function nodeRuntime(repoRoot: string): Promise<{ version: string; binary: string }> {
  const version = (await readFile(path.join(repoRoot, '.node-version'), 'utf8')).trim();
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const binary = path.join(base, 'hostplane', 'node', version, 'bin', 'node');
  if (!(await exists(binary)))
    throw new Error(
      `Node ${version} is not cached at ${binary}: run eval "$(scripts/install-node.sh)" first`,
    );
  return { version, binary };
}

export interface Staged {
  dir: string;
  /** The npm packages, staged apart (their own image layer, kept while package-lock.json is unchanged). */
  depsDir?: string;
  hash: string;
  /** name@version of every npm package in the stage (part of the SBOM). */
  npmPackages: string[];
}

/** Moves a freshly built folder into place (or drops it when another build got there first). */
async function publish(tmp: string, dir: string): Promise<void> {
  if (await exists(dir)) {
    await rm(tmp, { recursive: true, force: true });
    return;
  }
  await rename(tmp, dir);
}

/**
 * The panel's application folder: apps/cli/dist (the compiled CLI with every workspace package bundled
 * in) and exactly the npm packages it imports, with their own dependencies, from node_modules.
 */
export async function stagePanel(repoRoot: string, cacheDir: string): Promise<Staged> {
  const dist = path.join(repoRoot, 'apps', 'cli', 'dist');
  if (!(await exists(path.join(dist, 'main.js'))))
    throw new Error('the panel image needs the compiled build: run `npm run build` first');
  const distFiles = (await listFiles(dist)).filter((f) => f.endsWith('.js'));
  const imports = new Set<string>();
  for (const file of distFiles)
    for (const name of importedPackages(await readFile(file, 'utf8'))) imports.add(name);
  const { dirs, versions } = await runtimePackages(repoRoot, [...imports]);
  const lock = await readFile(path.join(repoRoot, 'package-lock.json'));
  const hash = await hashFiles(
    repoRoot,
    await listFiles(dist),
    `${STAGE_VERSION}\0${lock.toString('utf8')}\0${dirs.join('\n')}`,
  );
  const dir = path.join(stagingDir(cacheDir), `panel-${hash}`);
  // The npm packages the bundle imports: keyed by the lock file and the list of their folders only.
  const depsHash = createHash('sha256')
    .update(`${STAGE_VERSION}\0${lock.toString('utf8')}\0${dirs.join('\n')}`)
    .digest('hex')
    .slice(0, 12);
  const depsDir = path.join(stagingDir(cacheDir), `panel-deps-${depsHash}`);
  if (!(await exists(depsDir))) {
    const tmp = `${depsDir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const rel of dirs) {
      // A package's own nested node_modules are copied as separate entries when they are needed.
      await cp(path.join(repoRoot, rel), path.join(tmp, rel), {
        recursive: true,
        filter: (src) =>
          !path.relative(path.join(repoRoot, rel), src).split(path.sep).includes('node_modules'),
      });
    }
    await publish(tmp, depsDir);
  }
  if (!(await exists(dir))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await cp(dist, path.join(tmp, 'apps', 'cli', 'dist'), { recursive: true });
    // The application's root, as in the repository: the CLI finds it by its `workspaces` field.
    await writeFile(
      path.join(tmp, 'package.json'),
      `${JSON.stringify({ name: 'hostplane', private: true, type: 'module', workspaces: ['apps/*'] }, null, 2)}\n`,
    );
    await writeFile(
      path.join(tmp, 'apps', 'cli', 'package.json'),
      `${JSON.stringify({ name: '@hostplane/cli', private: true, type: 'module' }, null, 2)}\n`,
    );
    // `bootstrap` in the image reads Traefik's generated CRDs next to the bundle, as in the repository.
    await cp(path.join(repoRoot, 'packages', 'platform', 'generated'), path.join(tmp, 'apps', 'generated'), {
      recursive: true,
    });
    await writeFile(path.join(tmp, 'npm-packages.txt'), `${versions.join('\n')}\n`);
    await publish(tmp, dir);
  }
  return { dir, depsDir, hash, npmPackages: versions };
}

/**
 * What `next build` makes the web panel from: its own sources and configuration, the workspace package
 * it imports at run time (@hostplane/contracts), and the npm dependency versions (package-lock.json).
 * The web image is keyed by these rather than by the build's output, because `next build` is not
 * reproducible: every build has a fresh build id, fresh preview-mode keys in its manifests and the
 * checkout's absolute paths. Keyed by output, a fresh clone (CI) rebuilt the image on every run.
 */
async function webBuildInputs(repoRoot: string): Promise<string[]> {
  const skip = new Set(['.next', 'node_modules', 'dist']);
  const files = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (skip.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await files(full)));
      else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
    }
    return out;
  };
  return [
    ...(await files(path.join(repoRoot, 'apps', 'web'))),
    ...(await files(path.join(repoRoot, 'packages', 'contracts'))),
    path.join(repoRoot, 'package-lock.json'),
  ].sort();
}

/**
 * The web panel's folder: Next.js' standalone output (the server and the node_modules files it traces),
 * its static assets and our server.mjs (the X-Forwarded-For fix), laid out as in the repository.
 * Named by a hash of the build's inputs (webBuildInputs): a folder staged from an earlier build of the
 * same inputs is reused as it is.
 */
export async function stageWeb(repoRoot: string, cacheDir: string): Promise<Staged> {
  const web = path.join(repoRoot, 'apps', 'web');
  const standalone = path.join(web, '.next', 'standalone');
  if (!(await exists(path.join(standalone, 'apps', 'web'))))
    throw new Error("the web image needs Next.js' standalone build: run `npm run build` first");
  const inputs = await webBuildInputs(repoRoot);
  // The build must be of these inputs: a source edited after the last `next build` is refused.
  const builtAt = (await stat(path.join(web, '.next', 'BUILD_ID'))).mtimeMs;
  for (const file of inputs) {
    if (file.endsWith('package-lock.json')) continue;
    if ((await stat(file)).mtimeMs > builtAt)
      throw new Error(
        `the web image needs Next.js' standalone build of the current sources (${path.relative(repoRoot, file)} is newer): run \`npm run build\` first`,
      );
  }
  const hash = await hashFiles(repoRoot, inputs, `web\0${STAGE_VERSION}\0${WEB_STAGE_VERSION}`);
  const dir = path.join(stagingDir(cacheDir), `web-${hash}`);
  if (!(await exists(dir))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await cp(standalone, tmp, { recursive: true, verbatimSymlinks: true });
    await cp(path.join(web, '.next', 'static'), path.join(tmp, 'apps', 'web', '.next', 'static'), {
      recursive: true,
    });
    if (await exists(path.join(web, 'public')))
      await cp(path.join(web, 'public'), path.join(tmp, 'apps', 'web', 'public'), { recursive: true });
    await cp(path.join(web, 'server.mjs'), path.join(tmp, 'apps', 'web', 'server.mjs'));
    await writeFile(path.join(tmp, 'apps', 'web', 'start.mjs'), WEB_START_MJS);
    const versions: string[] = [];
    const modules = path.join(tmp, 'node_modules');
    for (const file of await listFiles(modules).catch(() => [])) {
      if (!file.endsWith(`${path.sep}package.json`)) continue;
      const rel = path.relative(modules, path.dirname(file)).split(path.sep);
      const isPackageRoot = rel[0]?.startsWith('@') ? rel.length === 2 : rel.length === 1;
      if (!isPackageRoot) continue;
      const pkg = JSON.parse(await readFile(file, 'utf8')) as PackageJson;
      if (pkg.name && pkg.version) versions.push(`${pkg.name}@${pkg.version}`);
    }
    await writeFile(path.join(tmp, 'npm-packages.txt'), `${[...new Set(versions)].sort().join('\n')}\n`);
    await publish(tmp, dir);
  }
  const npmPackages = (await readFile(path.join(dir, 'npm-packages.txt'), 'utf8'))
    .split('\n')
    .filter(Boolean);
  return { dir, hash, npmPackages };
}

/** The SBOM lines of the hook: Debian's package list from the image's dpkg database, then npm's. */
export function sbomLines(npmList?: string): string {
  return [
    'mkdir -p "$R/usr/share/hostplane"',
    `dpkg-query --admindir="$R/var/lib/dpkg" -W -f '\${Package} \${Version} \${Architecture}\\n' | sed 's/^/deb /' > "$R/usr/share/hostplane/sbom.txt"`,
    ...(npmList ? [`sed 's/^/npm /' '${plainPath(npmList)}' >> "$R/usr/share/hostplane/sbom.txt"`] : []),
  ].join('\n');
}

/** What the official Node binary links against beyond libc (libstdc++, libgcc_s), TLS roots, zones. */
const NODE_PACKAGES = ['ca-certificates', 'tzdata', 'libstdc++6'];

/** The Debian + Node base of the panel and web images: cached by its own inputs (layered-image.ts). */
function nodeBase(
  name: string,
  nodeBinary: string,
  extraPackages: string[],
  extraLines: string[],
): DebianImageRecipe {
  return {
    kind: 'debian',
    name: `${name}-base`,
    ref: `hostplane.local/${name}-base`,
    variant: 'essential',
    packages: [...NODE_PACKAGES, ...extraPackages],
    customize: [
      userLines('hostplane', PANEL_IMAGE_UID),
      `install -m 0755 '${plainPath(nodeBinary)}' "$R/usr/local/bin/node"`,
      ...extraLines,
      // The deb lines of the SBOM; the application layer replaces the file with deb + npm lines.
      sbomLines(),
    ].join('\n'),
    // Unused: the image's config is the layered recipe's.
    config: { entrypoint: [], user: '0:0' },
  };
}

/** `panel`: the compiled CLI (serve, admin, token, backup-platform…) on Node, user 10001. */
export function panelImageRecipe(stage: Staged, nodeBinary: string, ref: string): LayeredImageRecipe {
  const uid = PANEL_IMAGE_UID;
  return {
    kind: 'layered',
    name: 'panel',
    ref,
    // pg_dump and mariadb-dump: `hostplane backup-platform` (the CronJob of backup-system) runs this image.
    base: nodeBase(
      'panel',
      nodeBinary,
      ['postgresql-client-15', 'mariadb-client'],
      [
        `printf '#!/bin/sh\\nexec /usr/local/bin/node --enable-source-maps ${APP_DIR}/apps/cli/dist/main.js "$@"\\n' > "$R/usr/local/bin/hostplane"`,
        'chmod 0755 "$R/usr/local/bin/hostplane"',
      ],
    ),
    app: {
      sources: [...(stage.depsDir ? [plainPath(stage.depsDir)] : []), plainPath(stage.dir)],
      dir: APP_DIR,
      npmList: path.join(stage.dir, 'npm-packages.txt'),
    },
    config: {
      entrypoint: ['/usr/local/bin/hostplane'],
      cmd: ['serve'],
      user: `${uid}:${uid}`,
      workdir: APP_DIR,
      exposedPorts: ['8080/tcp', '9090/tcp'],
      env: { NODE_ENV: 'production', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      labels: imageLabels('Hostplane panel (API, worker, CLI)', tagOf(ref)),
    },
  };
}

/** `web`: the Next.js panel (standalone) behind our server.mjs on port 3000, user 10001. */
export function webImageRecipe(stage: Staged, nodeBinary: string, ref: string): LayeredImageRecipe {
  const uid = PANEL_IMAGE_UID;
  return {
    kind: 'layered',
    name: 'web',
    ref,
    base: nodeBase('web', nodeBinary, [], []),
    app: {
      sources: [...(stage.depsDir ? [plainPath(stage.depsDir)] : []), plainPath(stage.dir)],
      dir: APP_DIR,
      npmList: path.join(stage.dir, 'npm-packages.txt'),
    },
    config: {
      entrypoint: ['/usr/local/bin/node', `${APP_DIR}/apps/web/start.mjs`],
      cmd: ['--hostname', '0.0.0.0', '--port', '3000'],
      user: `${uid}:${uid}`,
      workdir: `${APP_DIR}/apps/web`,
      exposedPorts: ['3000/tcp'],
      env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      labels: imageLabels('Hostplane web panel', tagOf(ref)),
    },
  };
}

/** `traefik`: the edge recipe (edge-image.ts) with labels and the package list. */
export function traefikPlatformRecipe(binary: string): DebianImageRecipe {
  const recipe = traefikImageRecipe(binary);
  return {
    ...recipe,
    customize: [recipe.customize, sbomLines()].join('\n'),
    config: {
      ...recipe.config,
      labels: {
        ...imageLabels('Traefik (built from its Go module by Hostplane)', TRAEFIK_VERSION),
        'org.opencontainers.image.source': 'https://github.com/traefik/traefik',
        'org.opencontainers.image.licenses': 'MIT',
      },
    },
  };
}

/** The names of the staged images (their recipes need a build of this repository or a Go program). */
export const STAGED_IMAGE_NAMES = ['panel', 'web', 'traefik'] as const;

/** Recipes of the staged images among `names`; stages their inputs (builds Traefik when missing). */
export async function stagedImageRecipes(
  repoRoot: string,
  cacheDir: string,
  names: readonly string[],
  say: (line: string) => void,
  options: { skipMissingInputs?: boolean } = {},
): Promise<(DebianImageRecipe | LayeredImageRecipe)[]> {
  const refs = platformImageRefs();
  const recipes: (DebianImageRecipe | LayeredImageRecipe)[] = [];
  const node = names.some((n) => n === 'panel' || n === 'web') ? await nodeRuntime(repoRoot) : undefined;
  await mkdir(stagingDir(cacheDir), { recursive: true });
  const staged = async (name: string, stage: () => Promise<Staged>): Promise<Staged | undefined> => {
    try {
      return await stage();
    } catch (error) {
      if (!options.skipMissingInputs || !/run `npm run build` first/.test((error as Error).message))
        throw error;
      say(`  ${name}: skipped (${(error as Error).message})`);
      return undefined;
    }
  };
  if (names.includes('panel')) {
    const stage = await staged('panel', () => stagePanel(repoRoot, cacheDir));
    if (stage) {
      say(`  panel: staged ${stage.npmPackages.length} npm packages (${stage.dir})`);
      recipes.push(panelImageRecipe(stage, node!.binary, refs.panel));
    }
  }
  if (names.includes('web')) {
    const stage = await staged('web', () => stageWeb(repoRoot, cacheDir));
    if (stage) {
      say(`  web: staged the standalone build (${stage.dir})`);
      recipes.push(webImageRecipe(stage, node!.binary, refs.web));
    }
  }
  if (names.includes('traefik')) {
    const build = (await cachedGoProgram(traefikProgram)) ?? (await ensureGoProgram(traefikProgram, say));
    recipes.push(traefikPlatformRecipe(build.binaries.traefik!));
  }
  return recipes;
}

/** Size in bytes of a file (archive sizes in `images build`'s summary). */
export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** `skopeo copy` arguments that push one cached archive to `registry` under the image's own path. */
export function pushArgs(archive: string, ref: string, registry: string, extra: string[] = []): string[] {
  const withoutRegistry = ref.replace(/^[^/]+\.[^/]+\//, '').replace(/^(docker\.io\/)?library\//, 'library/');
  const target = `docker://${registry.replace(/\/+$/, '')}/${withoutRegistry}`;
  return ['copy', '--retry-times', '3', ...extra, `docker-archive:${archive}`, target];
}

export async function skopeo(args: string[]): Promise<void> {
  await run('skopeo', args, { maxBuffer: 16 * 1024 * 1024 });
}
