// Images made of a cached Debian base and an application layer (the panel and web images): the base
// (Debian packages, users, the Node runtime, the deb part of the SBOM) is built once by mmdebstrap and
// kept as an OCI layout keyed by ITS inputs (suite, mirrors, package list, hook, Node binary); a new
// commit of the application adds only its own layer (its staged folder and the full SBOM) on a copy of
// that layout, with umoci and skopeo as every other image build. The flattened file system is the one
// the single-layer recipe made: same files, owners, modes, users, labels and package list.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, copyFile, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DebianImageRecipe, ImageConfig } from './images.ts';

const run = promisify(execFile);

/** Where the SBOM lives in the image (sbomLines in platform-images.ts writes it). */
export const SBOM_IN_IMAGE = '/usr/share/hostplane/sbom.txt';

export interface LayeredImageRecipe {
  kind: 'layered';
  /** Short name for `images build --only NAME`. */
  name: string;
  ref: string;
  /**
   * The Debian base: its packages, users, runtime and the deb lines of the SBOM. Its cache key is its
   * own (`<name>-base-<hash>`), so an application change never rebuilds it. Its `config` is unused.
   */
  base: DebianImageRecipe;
  /** The application's layers: staged folders copied as they are to `dir`, owned by root. */
  app: {
    /**
     * Absolute paths of staged folders (their names carry the hash of their content), one layer each,
     * the slowest-changing first (the npm packages, then the build): every layer but the last is kept
     * with the base as a cached layout, so a new build of the application packs only the last.
     */
    sources: string[];
    /** Absolute path in the image. */
    dir: string;
    /** File of `name@version` lines: appended to the base's SBOM as `npm …` lines. */
    npmList?: string;
  };
  config: ImageConfig;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** The full SBOM of the image: the base's deb lines, then the application's npm lines (pure, tested). */
export function layeredSbom(baseSbom: string, npmList: string | undefined): string {
  if (npmList === undefined) return baseSbom;
  const lines = npmList.endsWith('\n') ? npmList.slice(0, -1).split('\n') : npmList.split('\n');
  return `${baseSbom}${lines.map((line) => `npm ${line}\n`).join('')}`;
}

/** The members of an application layer's tar: the app folder, and in the last one the SBOM (pure, tested). */
export function appLayerMembers(recipe: LayeredImageRecipe, last: boolean): string[] {
  return [`.${recipe.app.dir}`, ...(last ? [`.${SBOM_IN_IMAGE}`] : [])];
}

/** Cache key of the layout of the base plus the first `count` application layers (pure, tested). */
export function layoutKey(baseKey: string, recipe: LayeredImageRecipe, count: number): string {
  if (count === 0) return baseKey;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ baseKey, dir: recipe.app.dir, sources: recipe.app.sources.slice(0, count) }));
  return `${recipe.name}-layers-${hash.digest('hex').slice(0, 12)}`;
}

/** A copy of an OCI layout whose blobs are hard links (blobs are named by their digest, never rewritten). */
async function copyLayout(from: string, to: string): Promise<void> {
  const blobs = path.join(from, 'blobs', 'sha256');
  await mkdir(path.join(to, 'blobs', 'sha256'), { recursive: true });
  for (const blob of await readdir(blobs))
    await link(path.join(blobs, blob), path.join(to, 'blobs', 'sha256', blob));
  // index.json is rewritten by umoci: a copy, never a link to the cached one.
  await copyFile(path.join(from, 'index.json'), path.join(to, 'index.json'));
  await copyFile(path.join(from, 'oci-layout'), path.join(to, 'oci-layout'));
}

/**
 * Moves a built layout into the cache by rename; when another build (another checkout's `images build`)
 * published the same key first, its layout stays (another build may be reading it) and ours is dropped.
 */
async function publishLayout(built: string, target: string): Promise<void> {
  if (!(await exists(path.join(target, 'index.json')))) {
    // A folder left without index.json is a crashed copy of an older version of this code: not in use.
    if (await exists(target)) await rm(target, { recursive: true, force: true });
    try {
      await rename(built, target);
      return;
    } catch (error) {
      if (!(await exists(path.join(target, 'index.json')))) throw error;
    }
  }
  await rm(built, { recursive: true, force: true });
}

export interface BaseLayout {
  /** OCI layout with the base layer under the tag `base`. */
  layout: string;
  /** The deb lines of the SBOM, as the base's hook wrote them. */
  sbom: string;
  cached: boolean;
}

/**
 * The base's OCI layout, built when missing: mmdebstrap (through `buildRootfs`), then umoci's layer.
 * Kept as `<cache>/<key>.oci` beside `<key>.sbom.txt`; published by rename, so a half-built one is
 * never seen.
 */
export async function ensureBaseLayout(
  cacheDir: string,
  key: string,
  buildRootfs: (work: string) => Promise<string>,
  say: (line: string) => void,
): Promise<BaseLayout> {
  const layout = path.join(cacheDir, `${key}.oci`);
  const sbomFile = path.join(cacheDir, `${key}.sbom.txt`);
  if ((await exists(path.join(layout, 'index.json'))) && (await exists(sbomFile)))
    return { layout, sbom: await readFile(sbomFile, 'utf8'), cached: true };
  const work = path.join(cacheDir, `.build-${key}-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    say(`  ${key}: building the base (Debian packages and runtime)`);
    const rootfs = await buildRootfs(work);
    const tmpLayout = path.join(work, 'oci');
    await run('umoci', ['init', '--layout', tmpLayout]);
    await run('umoci', ['new', '--image', `${tmpLayout}:base`]);
    await run('umoci', ['raw', 'add-layer', '--no-history', '--image', `${tmpLayout}:base`, rootfs]);
    const sbom = await run('tar', ['-xOf', rootfs, `.${SBOM_IN_IMAGE}`], { maxBuffer: 16 * 1024 * 1024 });
    await writeFile(`${sbomFile}.tmp-${process.pid}`, sbom.stdout);
    await rename(`${sbomFile}.tmp-${process.pid}`, sbomFile);
    await publishLayout(tmpLayout, layout);
    return { layout, sbom: sbom.stdout, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** One application layer's tar: `source` copied to the app folder (and, in the last, the SBOM file). */
async function appLayer(
  work: string,
  recipe: LayeredImageRecipe,
  source: string,
  sbom: string | undefined,
): Promise<string> {
  const root = path.join(work, `layer-${path.basename(source)}`);
  const appDir = path.join(root, recipe.app.dir);
  await mkdir(appDir, { recursive: true });
  await run('cp', ['-a', `${source}/.`, `${appDir}/`]);
  if (sbom !== undefined) {
    await mkdir(path.join(root, path.dirname(SBOM_IN_IMAGE)), { recursive: true });
    await writeFile(path.join(root, SBOM_IN_IMAGE), sbom);
  }
  const layer = `${root}.tar`;
  // Only the app folder (and the SBOM file): no entries for /opt, /usr, … (the base's stay as they are).
  await run('tar', [
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '-C',
    root,
    '-cf',
    layer,
    ...appLayerMembers(recipe, sbom !== undefined),
  ]);
  await rm(root, { recursive: true, force: true });
  return layer;
}

/**
 * The layout of the base plus every application layer but the last, built when missing from the
 * cached base (`<cache>/<key>.oci`, published by rename like the base's).
 */
async function ensureLowerLayers(
  cacheDir: string,
  baseKey: string,
  base: BaseLayout,
  recipe: LayeredImageRecipe,
): Promise<string> {
  let layout = base.layout;
  for (let count = 1; count < recipe.app.sources.length; count++) {
    const cached = path.join(cacheDir, `${layoutKey(baseKey, recipe, count)}.oci`);
    if (!(await exists(path.join(cached, 'index.json')))) {
      const work = `${cached}.tmp-${process.pid}`;
      await rm(work, { recursive: true, force: true });
      try {
        await copyLayout(layout, path.join(work, 'oci'));
        const layer = await appLayer(work, recipe, recipe.app.sources[count - 1]!, undefined);
        await run('umoci', [
          'raw',
          'add-layer',
          '--no-history',
          '--image',
          `${path.join(work, 'oci')}:base`,
          layer,
        ]);
        await publishLayout(path.join(work, 'oci'), cached);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
    layout = cached;
  }
  return layout;
}

/**
 * The image archive of a layered recipe: a copy of the cached lower layers (base, npm packages), the
 * last application layer, the image's config, written as a docker archive under `ref`. Returns the
 * image's full SBOM.
 */
export async function packLayeredImage(
  work: string,
  cacheDir: string,
  baseKey: string,
  base: BaseLayout,
  recipe: LayeredImageRecipe,
  umociConfig: string[],
  out: string,
): Promise<string> {
  const lower = await ensureLowerLayers(cacheDir, baseKey, base, recipe);
  const layout = path.join(work, 'oci');
  await copyLayout(lower, layout);
  const sbom = layeredSbom(
    base.sbom,
    recipe.app.npmList ? await readFile(recipe.app.npmList, 'utf8') : undefined,
  );
  const last = recipe.app.sources.at(-1);
  if (!last) throw new Error(`${recipe.name}: no application layer`);
  const layer = await appLayer(work, recipe, last, sbom);
  await run('umoci', [
    'raw',
    'add-layer',
    '--no-history',
    '--image',
    `${layout}:base`,
    '--tag',
    'build',
    layer,
  ]);
  await run('umoci', ['config', '--no-history', '--image', `${layout}:build`, ...umociConfig]);
  await run('skopeo', ['copy', '--quiet', `oci:${layout}:build`, `docker-archive:${out}:${recipe.ref}`]);
  return sbom;
}
