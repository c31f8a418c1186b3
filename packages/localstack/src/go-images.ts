import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { VELERO_AWS_PLUGIN_IMAGE, VELERO_IMAGE } from '@hostplane/platform';
import { veleroAwsPluginProgram, veleroProgram } from './backup-programs.ts';
import { ensureGoProgram, type GoProgram } from './go-program-build.ts';
import type { ImageConfig } from './images.ts';

// Images of upstream Go programs made of their statically linked binaries only (CGO_ENABLED=0), laid
// out as upstream's Dockerfile lays them out, so the references production pins run the same files:
// Velero (server, node agent, the pod-volume data movers it spawns, the restore helper) and its AWS
// object-store plugin. No Debian mirror is needed; the binaries come from the Go build cache.

const run = promisify(execFile);

export interface GoBinariesImageRecipe {
  kind: 'go-binaries';
  name: string;
  ref: string;
  program: GoProgram;
  /** Path inside the image → binary name of the program (its command's last path element). */
  files: Record<string, string>;
  /** Empty directories to create (mode 1777 for /tmp, 0755 otherwise). */
  dirs: string[];
  config: ImageConfig;
}

/** passwd/group of the image: root (the node agent reads every tenant's files) and the non-root user. */
const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nvelero:x:65532:65532:velero:/home/velero:/sbin/nologin\n';
const GROUP = 'root:x:0:\nvelero:x:65532:\n';

export function goBinariesImageRecipes(): GoBinariesImageRecipe[] {
  return [
    {
      kind: 'go-binaries',
      name: 'velero',
      ref: VELERO_IMAGE,
      program: veleroProgram,
      // Upstream: COPY /output / (velero, velero-restore-helper, velero-helper at the root).
      files: {
        '/velero': 'velero',
        '/velero-restore-helper': 'velero-restore-helper',
        '/velero-helper': 'velero-helper',
      },
      dirs: ['/tmp', '/root', '/home/velero', '/scratch', '/plugins', '/credentials'],
      config: { entrypoint: ['/velero'], user: '65532:65532', env: { HOME: '/home/velero' } },
    },
    {
      kind: 'go-binaries',
      name: 'velero-plugin-for-aws',
      ref: VELERO_AWS_PLUGIN_IMAGE,
      program: veleroAwsPluginProgram,
      files: { '/plugins/velero-plugin-for-aws': 'velero-plugin-for-aws', '/bin/cp-plugin': 'cp-plugin' },
      dirs: ['/target'],
      config: {
        entrypoint: ['/bin/cp-plugin', '/plugins/velero-plugin-for-aws', '/target/velero-plugin-for-aws'],
        user: '65532:65532',
      },
    },
  ];
}

/** The image's root file system as a tar: the program's binaries (built when missing), dirs, users. */
export async function buildGoBinariesRootfs(
  work: string,
  recipe: GoBinariesImageRecipe,
  say: (line: string) => void,
): Promise<string> {
  const build = await ensureGoProgram(recipe.program, say);
  const rootfs = path.join(work, 'rootfs');
  for (const dir of recipe.dirs) {
    await mkdir(path.join(rootfs, dir), { recursive: true });
    await chmod(path.join(rootfs, dir), dir === '/tmp' ? 0o1777 : 0o755);
  }
  for (const [target, binary] of Object.entries(recipe.files)) {
    const source = build.binaries[binary];
    if (!source) throw new Error(`${recipe.name}: ${recipe.program.name} builds no ${binary}`);
    await mkdir(path.join(rootfs, path.dirname(target)), { recursive: true });
    await copyFile(source, path.join(rootfs, target));
    await chmod(path.join(rootfs, target), 0o755);
  }
  await mkdir(path.join(rootfs, 'etc'), { recursive: true });
  await writeFile(path.join(rootfs, 'etc/passwd'), PASSWD);
  await writeFile(path.join(rootfs, 'etc/group'), GROUP);
  const tar = path.join(work, 'rootfs.tar');
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', tar, '.']);
  return tar;
}
