import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The variables `hostplane stack env` prints, written by `stack up` to `<stateDir>/env.json`. */
export interface StackEnv {
  KUBECONFIG: string;
  DATABASE_URL: string;
  MAIL_DATABASE_URL: string;
  PDNS_API_URL: string;
  PDNS_API_KEY: string;
  PDNS_DNS_ADDR: string;
  SMTP_ADDR: string;
  SUBMISSION_ADDR: string;
  IMAP_ADDR: string;
  [extra: string]: string;
}

/** The StorageClass of the local stack's volume provisioner (both node profiles; production keeps Longhorn). */
export const LOCAL_STORAGE_CLASS = 'hostplane-local';

/**
 * The repository's root: the nearest folder above this module whose package.json is the workspace
 * root (`"workspaces"`). Found by walking up, so the sources and the compiled build (a bundle in
 * apps/cli/dist) agree.
 */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        workspaces?: unknown;
      };
      if (pkg.workspaces) return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) throw new Error(`no workspace root above ${start}`);
  }
}

export function stackStateDir(): string {
  return process.env.HOSTPLANE_STACK_DIR ?? path.join(repoRoot, '.hostplane', 'stack');
}

/** Reads the running stack's environment; throws with the command to run when the stack is not up. */
export function loadStackEnv(): StackEnv {
  const file = path.join(stackStateDir(), 'env.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackEnv;
  } catch {
    throw new Error(`the local stack is not up (no ${file}); run: npx hostplane stack up`);
  }
}
