import { buildImages, imageRecipes, loadImagesIntoNode, resolveStateDir } from '@hostplane/localstack';
import type { Invocation } from '../program.ts';

// `hostplane images build [--only NAME[,NAME]] | list` — the images the platform's templates reference,
// built from Debian packages without a registry (mmdebstrap + umoci + skopeo), cached by a hash of
// their inputs, and imported into the real node's containerd when the local stack's node runs.
// A first build needs the Debian mirror: run it outside any network namespace without internet.

export async function run(
  invocation: Extract<Invocation, { command: 'images build' } | { command: 'images list' }>,
): Promise<number> {
  if (invocation.command === 'images list') {
    for (const recipe of imageRecipes()) console.log(`${recipe.name.padEnd(14)} ${recipe.ref}`);
    return 0;
  }
  const say = (line: string) => console.log(line);
  const started = Date.now();
  const built = await buildImages({ only: invocation.only, say });
  const fresh = built.filter((image) => !image.cached).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`${built.length} image(s) ready (${fresh} built, ${built.length - fresh} cached) in ${seconds} s`);
  if (await loadImagesIntoNode(resolveStateDir(), say)) say('the real node has them');
  else say('the real node is not running: `stack up` with HOSTPLANE_STACK_NODE=real imports them');
  return 0;
}
