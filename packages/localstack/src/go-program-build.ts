import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

// Upstream programs built from their published Go module (Traefik, Pebble, …): `go mod download`
// fetches the module zip, a writable copy is built (their go.mod may carry replace directives, which
// `go install mod@version` refuses), and the binaries are cached by their inputs under
// `~/.cache/hostplane/<name>/<version>-<hash>/`. Upstream source is never committed. The Go build
// cache is the user's one (GOCACHE), shared with tools/localcluster.

const run = promisify(execFile);
const PROGRESS_EVERY_MS = 15_000;

export interface GoProgram {
  /** Cache folder name, e.g. `traefik`. */
  name: string;
  /** Module path, e.g. `github.com/traefik/traefik/v3`. */
  module: string;
  /** Exact module version, e.g. `v3.6.12`. */
  version: string;
  /** Main packages inside the module; each binary is named after its last path element. */
  commands: string[];
  /** `-X pkg.var=value` stamps (no build date: the cache key must not change by the hour). */
  stamps: Record<string, string>;
  /** Extra environment of the build, e.g. `CGO_ENABLED=0`. */
  env?: Record<string, string>;
  /** Module versions forced into the copy's go.mod (`go mod edit -require`), e.g. a version the proxy
   * serves instead of one it refuses (Velero's k8s.io/cli-runtime, ../shared/REAL-NODE.md). */
  requires?: Record<string, string>;
  /** Files written into the module's copy before the build (path relative to the module root →
   * content), e.g. a small main package that links only the plugins the stack needs (CoreDNS). */
  files?: Record<string, string>;
}

export interface GoProgramBuild {
  dir: string;
  /** Binary path per command name (`traefik` → `<dir>/traefik`). */
  binaries: Record<string, string>;
  version: string;
}

/** `./cmd/pebble-challtestsrv` → `pebble-challtestsrv`. */
export function commandName(command: string): string {
  const name = command.split('/').filter(Boolean).at(-1);
  if (!name || name === '.') throw new Error(`a command path names its binary: ${command}`);
  return name;
}

export function programLdflags(program: GoProgram): string {
  const stamps = Object.entries(program.stamps)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `-X ${name}=${value}`);
  return ['-s', '-w', ...stamps].join(' ');
}

/** `<version>-<12 hex>` of everything that shapes the binaries: module, version, commands, flags, env. */
export function programCacheKey(program: GoProgram): string {
  const hash = createHash('sha256');
  const env = Object.entries(program.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const inputs: unknown[] = [program.module, program.version, program.commands, programLdflags(program), env];
  const requires = Object.entries(program.requires ?? {}).sort(([a], [b]) => a.localeCompare(b));
  // Only present when used, so programs without pins keep the key they had.
  if (requires.length > 0) inputs.push(requires);
  const files = Object.entries(program.files ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (files.length > 0) inputs.push(files);
  hash.update(JSON.stringify(inputs));
  return `${program.version}-${hash.digest('hex').slice(0, 12)}`;
}

export function programCacheDir(program: GoProgram, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.HOSTPLANE_CACHE_DIR ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hostplane');
  return path.join(base, program.name, programCacheKey(program));
}

const downloadAnswer = z.looseObject({ Dir: z.string().min(1), Version: z.string() });

/** The module's extracted, read-only folder in the module cache (downloads it when missing). */
export async function downloadModule(module: string, version: string): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await run('go', ['mod', 'download', '-json', `${module}@${version}`], {
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    }));
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    throw new Error(`go mod download ${module}@${version} failed (no network? run npm run setup): ${out}`, {
      cause: error,
    });
  }
  return downloadAnswer.parse(JSON.parse(stdout)).Dir;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** Cached binaries of `program`, or undefined (never builds: for `stack status` and tests). */
export async function cachedGoProgram(program: GoProgram): Promise<GoProgramBuild | undefined> {
  const dir = programCacheDir(program);
  const binaries = Object.fromEntries(
    program.commands.map((c) => [commandName(c), path.join(dir, commandName(c))]),
  );
  for (const binary of Object.values(binaries)) if (!(await exists(binary))) return undefined;
  return { dir, binaries, version: program.version };
}

/**
 * Builds in flight in this process, by cache folder. On a cold machine setup's Go lanes and its image
 * lane ask for the same program at once (Traefik for the stack and the edge image, Velero and its AWS
 * plugin for the backups and their images): the second caller waits for the first build instead of
 * compiling the same module again beside it (a cold CI run compiled Traefik twice at once).
 */
const inFlight = new Map<string, Promise<GoProgramBuild>>();

/** Returns the cached binaries of `program`, building them first when missing (once per process). */
export function ensureGoProgram(program: GoProgram, say: (line: string) => void): Promise<GoProgramBuild> {
  const dir = programCacheDir(program);
  const running = inFlight.get(dir);
  if (running) return running;
  const build = buildGoProgram(program, say).finally(() => inFlight.delete(dir));
  inFlight.set(dir, build);
  return build;
}

async function buildGoProgram(program: GoProgram, say: (line: string) => void): Promise<GoProgramBuild> {
  const cached = await cachedGoProgram(program);
  if (cached) return cached;
  const dir = programCacheDir(program);
  await mkdir(dir, { recursive: true });
  const moduleDir = await downloadModule(program.module, program.version);
  const src = path.join(dir, `.src.${process.pid}`);
  say(`building ${program.module}@${program.version} (${program.commands.join(', ')}) into ${dir}`);
  const started = Date.now();
  await rm(src, { recursive: true, force: true });
  try {
    // The module cache is read-only; go build wants to write go.sum updates and embed folders.
    await run('cp', ['-r', moduleDir, src]);
    await run('chmod', ['-R', 'u+w', src]);
    for (const [module, version] of Object.entries(program.requires ?? {}))
      await run('go', ['mod', 'edit', `-require=${module}@${version}`], { cwd: src });
    for (const [file, content] of Object.entries(program.files ?? {})) {
      const target = path.resolve(src, file);
      if (!target.startsWith(`${src}${path.sep}`))
        throw new Error(`${program.name}: ${file} leaves the module`);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    for (const command of program.commands) {
      const name = commandName(command);
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      try {
        await goBuild(src, command, tmp, program, say);
        await chmod(tmp, 0o755);
        await rename(tmp, path.join(dir, name));
      } finally {
        await rm(tmp, { force: true });
      }
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const record = { module: program.module, version: program.version, seconds, builtAt: new Date() };
    await writeFile(path.join(dir, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
    say(`  ${program.name} ${program.version} built in ${seconds} s`);
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  const built = await cachedGoProgram(program);
  if (!built) throw new Error(`${program.name}: build finished but binaries are missing in ${dir}`);
  return built;
}

function goBuild(
  cwd: string,
  command: string,
  output: string,
  program: GoProgram,
  say: (line: string) => void,
): Promise<void> {
  const args = [
    'build',
    '-v',
    '-mod=mod',
    '-trimpath',
    '-ldflags',
    programLdflags(program),
    '-o',
    output,
    command,
  ];
  const child = spawn('go', args, {
    cwd,
    env: { ...process.env, ...program.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = Date.now();
  let packages = 0;
  const tail: string[] = [];
  const onOutput = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (/^[\w.\-/]+$/.test(line.trim())) packages += 1;
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const timer = setInterval(() => {
    say(`  go build ${command}: ${packages} packages, ${Math.round((Date.now() - started) / 1000)} s`);
  }, PROGRESS_EVERY_MS);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}
