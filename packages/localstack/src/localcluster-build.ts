import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './stack-env.ts';

/** tools/localcluster: the Go module of the local control plane (one multi-call binary). */
export const localclusterModuleDir = path.join(repoRoot, 'tools', 'localcluster');

const PROGRESS_EVERY_MS = 15_000;

export interface LocalclusterBinary {
  binary: string;
  /** The Kubernetes release stamped into the binary, e.g. `v1.37.2`. */
  version: string;
}

/** `<cache dir>/build.json`, written beside the binary by the build that produced it. */
export interface BuildRecord {
  seconds: number;
  version: string;
  builtAt: string;
  packagesCompiled: number;
}

export interface GoToolchain {
  version: string;
  required: string;
}

/** `go 1.26.0` directive and the pinned `k8s.io/kubernetes vX.Y.Z` of go.mod. */
export function parseGoMod(goMod: string): { goDirective: string; kubernetesVersion: string } {
  const goDirective = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1];
  const kubernetesVersion = /^\s*k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+)\s*$/m.exec(goMod)?.[1];
  if (!goDirective || !kubernetesVersion) {
    throw new Error('tools/localcluster/go.mod must declare `go X.Y` and require k8s.io/kubernetes vX.Y.Z');
  }
  return { goDirective, kubernetesVersion };
}

/** `go version go1.26.8 linux/amd64` → `1.26.8`. */
export function parseGoVersionOutput(output: string): string | undefined {
  return /\bgo(\d+\.\d+(?:\.\d+)?)\b/.exec(output)?.[1];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Cache key: the Kubernetes release plus a short hash of everything that shapes the binary. */
export function localclusterCacheKey(
  kubernetesVersion: string,
  sources: ReadonlyArray<{ name: string; content: string }>,
): string {
  const hash = createHash('sha256');
  for (const source of [...sources].sort((x, y) => x.name.localeCompare(y.name))) {
    hash.update(`${source.name}\0${source.content}\0`);
  }
  return `${kubernetesVersion}-${hash.digest('hex').slice(0, 12)}`;
}

/** -ldflags stamping k8s.io/component-base/version so `/version` answers the pinned release. */
export function versionLdflags(kubernetesVersion: string, buildDate: string): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    '-s',
    '-w',
    `-X ${pkg}.gitVersion=${kubernetesVersion}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${buildDate}`,
  ].join(' ');
}

export function localclusterCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.HOSTPLANE_CACHE_DIR ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hostplane');
  return path.join(base, 'localcluster');
}

/** Checks that `go` is on PATH and new enough for go.mod's `go` directive; throws saying what to install. */
export async function checkGo(): Promise<GoToolchain> {
  const { goDirective } = parseGoMod(await readFile(path.join(localclusterModuleDir, 'go.mod'), 'utf8'));
  let output: string;
  try {
    output = (await promisify(execFile)('go', ['version'])).stdout;
  } catch (error) {
    throw new Error(`Go ${goDirective} or newer is needed to build tools/localcluster (https://go.dev/dl/)`, {
      cause: error,
    });
  }
  const version = parseGoVersionOutput(output);
  if (!version || compareVersions(version, goDirective) < 0) {
    throw new Error(`tools/localcluster needs Go ${goDirective} or newer; found: ${output.trim()}`);
  }
  return { version, required: goDirective };
}

/** Files that shape the binary: go.mod, go.sum and every non-test `.go` file, sub-packages included
 * (e.g. `netpol/`); tests do not change the binary, so editing one does not rebuild it. */
export function isBuildSource(relativePath: string): boolean {
  if (relativePath === 'go.mod' || relativePath === 'go.sum') return true;
  return relativePath.endsWith('.go') && !relativePath.endsWith('_test.go');
}

async function readModuleSources(): Promise<Array<{ name: string; content: string }>> {
  const entries = await readdir(localclusterModuleDir, { recursive: true, withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(localclusterModuleDir, path.join(entry.parentPath, entry.name)))
    .filter((name) => !name.split(path.sep).some((part) => part.startsWith('.')) && isBuildSource(name));
  return Promise.all(
    names.map(async (name) => ({
      name,
      content: await readFile(path.join(localclusterModuleDir, name), 'utf8'),
    })),
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Returns the cached localcluster binary for the pinned release, building it first when missing. */
export async function ensureLocalcluster(say: (line: string) => void): Promise<LocalclusterBinary> {
  const sources = await readModuleSources();
  const goMod = sources.find((source) => source.name === 'go.mod')?.content ?? '';
  const { kubernetesVersion } = parseGoMod(goMod);
  const dir = path.join(
    localclusterCacheRoot(),
    localclusterCacheKey(kubernetesVersion, [
      ...sources,
      // The build recipe is part of the binary too: a change of flags makes a new cache entry.
      { name: '(ldflags)', content: versionLdflags(kubernetesVersion, '') },
    ]),
  );
  const binary = path.join(dir, 'localcluster');
  if (await exists(binary)) return { binary, version: kubernetesVersion };

  await checkGo();
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.localcluster.${process.pid}.tmp`);
  say(
    `building tools/localcluster (Kubernetes ${kubernetesVersion}, etcd, kwok) into ${dir}; first build takes minutes`,
  );
  const started = Date.now();
  const builtAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    const packagesCompiled = await goBuild(tmp, versionLdflags(kubernetesVersion, builtAt), say);
    await chmod(tmp, 0o755);
    // Read by `npm run bench:stack`. packagesCompiled tells a cold build (~2700 packages) from a relink
    // on a warm Go build cache (a handful), so a relink's seconds are not taken for a first build's.
    const seconds = Math.round((Date.now() - started) / 1000);
    const record: BuildRecord = { seconds, version: kubernetesVersion, builtAt, packagesCompiled };
    await writeFile(path.join(dir, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, binary);
  } finally {
    await rm(tmp, { force: true });
  }
  return { binary, version: kubernetesVersion };
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** `go build -v` prints one package path per line on stderr as it compiles: that count is the progress. */
function goBuild(output: string, ldflags: string, say: (line: string) => void): Promise<number> {
  const started = Date.now();
  const args = ['build', '-v', '-trimpath', '-ldflags', ldflags, '-o', output, '.'];
  const child = spawn('go', args, { cwd: localclusterModuleDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let packages = 0;
  let lastPackage = '';
  const tail: string[] = [];
  const onOutput = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (/^[\w.\-/]+$/.test(line.trim())) {
        packages += 1;
        lastPackage = line.trim();
      }
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const timer = setInterval(() => {
    say(
      `  go build: ${packages} packages compiled, ${formatElapsed(Date.now() - started)} elapsed (${lastPackage})`,
    );
  }, PROGRESS_EVERY_MS);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) {
        say(`  go build: done, ${packages} packages in ${formatElapsed(Date.now() - started)}`);
        resolve(packages);
      } else {
        reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`));
      }
    });
  });
}
