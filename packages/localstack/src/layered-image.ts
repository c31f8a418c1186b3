// Images made of a cached Debian base and an application layer (the panel and web images): the base
// (Debian packages, users, the Node runtime, the deb part of the SBOM) is built once by mmdebstrap and
// kept as an OCI layout keyed by ITS inputs (suite, mirrors, package list, hook, Node binary); a new
// commit of the application adds only its own layer (its staged folder and the full SBOM) on a copy of
// that layout, with umoci and skopeo as every other image build. The flattened file system is the one
// the single-layer recipe made: same files, owners, modes, users, labels and package list.
import { execFile } from 'node:child_process';
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
  /** The application layer: a staged folder copied as it is to `dir`, owned by root. */
  app: {
    /** Absolute path of the staged folder (its name carries the hash of its content). */
    source: string;
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

/** The members of the application layer's tar: the app folder and the SBOM file (pure, tested). */
export function appLayerMembers(recipe: LayeredImageRecipe): string[] {
  return [`.${recipe.app.dir}`, `.${SBOM_IN_IMAGE}`];
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
    if (await exists(layout)) await rm(layout, { recursive: true, force: true });
    await rename(tmpLayout, layout);
    await rename(`${sbomFile}.tmp-${process.pid}`, sbomFile);
    return { layout, sbom: sbom.stdout, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The image archive of a layered recipe: a copy of the base layout, the application layer, the image's
 * config, written as a docker archive under `ref`. Returns the image's full SBOM.
 */
export async function packLayeredImage(
  work: string,
  base: BaseLayout,
  recipe: LayeredImageRecipe,
  umociConfig: string[],
  out: string,
): Promise<string> {
  const layout = path.join(work, 'oci');
  await copyLayout(base.layout, layout);
  const root = path.join(work, 'app');
  const appDir = path.join(root, recipe.app.dir);
  await mkdir(appDir, { recursive: true });
  await run('cp', ['-a', `${recipe.app.source}/.`, `${appDir}/`]);
  const sbom = layeredSbom(
    base.sbom,
    recipe.app.npmList ? await readFile(recipe.app.npmList, 'utf8') : undefined,
  );
  await mkdir(path.join(root, path.dirname(SBOM_IN_IMAGE)), { recursive: true });
  await writeFile(path.join(root, SBOM_IN_IMAGE), sbom);
  const layer = path.join(work, 'app.tar');
  // Only the app folder and the SBOM file: no entries for /opt, /usr, … (the base's stay as they are).
  await run('tar', [
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '-C',
    root,
    '-cf',
    layer,
    ...appLayerMembers(recipe),
  ]);
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
