import {
  buildImages,
  type CachedImage,
  cachedImages,
  imageRecipes,
  loadImagesIntoNode,
  pushArgs,
  repoRoot,
  resolveStateDir,
  STAGED_IMAGE_NAMES,
  skopeo,
} from '@hostplane/localstack';
import type { Invocation } from '../program.ts';

// `hostplane images build [--only NAME[,NAME]] | list | push REGISTRY` — the images the platform and
// the tenant templates reference, built from Debian packages without a registry (mmdebstrap + umoci +
// skopeo), cached by a hash of their inputs, and imported into the real node's containerd when the
// local stack's node runs; `push` copies the cached archives to a registry for production (skopeo).
// A first build needs the Debian mirror: run it outside any network namespace without internet.

async function push(invocation: Extract<Invocation, { command: 'images push' }>): Promise<number> {
  const all = await cachedImages();
  const selected: CachedImage[] = invocation.only?.length
    ? all.filter((image) => invocation.only!.includes(image.name))
    : all;
  const missing = (invocation.only ?? []).filter((name) => !all.some((image) => image.name === name));
  if (missing.length > 0) {
    process.stderr.write(`hostplane images push: not built yet: ${missing.join(', ')} (run images build)\n`);
    return 1;
  }
  const extra = [
    ...(invocation.destCreds ? ['--dest-creds', invocation.destCreds] : []),
    ...(invocation.tlsVerify ? [] : ['--dest-tls-verify=false']),
  ];
  for (const image of selected) {
    const args = pushArgs(image.archive, image.ref, invocation.registry, extra);
    console.log(`${image.name}: ${args.at(-1)}`);
    await skopeo(args);
  }
  console.log(`${selected.length} image(s) pushed to ${invocation.registry}`);
  return 0;
}

export async function run(
  invocation: Extract<
    Invocation,
    { command: 'images build' } | { command: 'images list' } | { command: 'images push' }
  >,
): Promise<number> {
  if (invocation.command === 'images list') {
    for (const recipe of imageRecipes()) console.log(`${recipe.name.padEnd(14)} ${recipe.ref}`);
    for (const name of STAGED_IMAGE_NAMES) console.log(`${name.padEnd(14)} (from this repository's build)`);
    return 0;
  }
  if (invocation.command === 'images push') {
    try {
      return await push(invocation);
    } catch (error) {
      process.stderr.write(`hostplane images push: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const say = (line: string) => console.log(line);
  const started = Date.now();
  const built = await buildImages({ only: invocation.only, say, repoRoot });
  const fresh = built.filter((image) => !image.cached).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`${built.length} image(s) ready (${fresh} built, ${built.length - fresh} cached) in ${seconds} s`);
  if (await loadImagesIntoNode(resolveStateDir(), say)) say('the real node has them');
  else say('the real node is not running: `stack up` with HOSTPLANE_STACK_NODE=real imports them');
  return 0;
}
