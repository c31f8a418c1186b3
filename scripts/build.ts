// `npm run build`: the compiled build production runs (esbuild; the type check is `npm run typecheck`).
// - every workspace package and app with a src/index.ts: dist/index.js, its own sources bundled, every
//   other package (workspace or npm) left as an import; package.json `exports` name it under the
//   `compiled` condition (`node --conditions=compiled`), the default stays src/ for tsx and vitest;
// - the CLI: apps/cli/dist/main.js with the workspace packages bundled in and npm packages external,
//   split at the lazily loaded commands: what `NODE_ENV=production hostplane serve` runs, no tsx;
// - the web panel: `next build` into apps/web/.next (skip with --no-web).
// Test files and fixtures (*.test.ts, test-support/, testing/) never enter a build: only what the
// entry points import is bundled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@hostplane/testing';
import { build, type Plugin } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // ESM output that still meets a CommonJS dependency's `require` of a Node builtin.
  banner: {
    js: "import { createRequire as __hpCreateRequire } from 'node:module'; const require = __hpCreateRequire(import.meta.url);",
  },
} as const;

/** npm packages stay imports (resolved from node_modules at run time); @hostplane/* are bundled. */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@hostplane/') ? undefined : { path: args.path, external: true },
    );
  },
};

function workspaces(): string[] {
  return ['apps', 'packages'].flatMap((group) =>
    readdirSync(path.join(repoRoot, group)).map((name) => path.join(repoRoot, group, name)),
  );
}

async function buildPackage(dir: string): Promise<string | undefined> {
  const entry = path.join(dir, 'src', 'index.ts');
  if (!existsSync(entry)) return undefined;
  rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: [entry],
    outfile: path.join(dir, 'dist', 'index.js'),
    packages: 'external',
  });
  return path.relative(repoRoot, path.join(dir, 'dist', 'index.js'));
}

async function buildCli(): Promise<string> {
  const dir = path.join(repoRoot, 'apps', 'cli');
  await build({
    ...common,
    entryPoints: [path.join(dir, 'src', 'main.ts')],
    outdir: path.join(dir, 'dist'),
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [npmPackagesExternal],
  });
  return 'apps/cli/dist/main.js';
}

async function main(): Promise<number> {
  const started = Date.now();
  const built: string[] = [];
  for (const dir of workspaces()) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string };
    if (pkg.name === '@hostplane/web') continue;
    const out = await buildPackage(dir);
    if (out) built.push(out);
  }
  built.push(await buildCli());
  for (const out of built) console.log(`built ${out}`);
  console.log(`esbuild: ${built.length} outputs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (process.argv.includes('--no-web')) return 0;
  const web = spawnSync('npm', ['run', 'build', '-w', '@hostplane/web'], { cwd: repoRoot, stdio: 'inherit' });
  return web.status ?? 1;
}

process.exitCode = await main();
