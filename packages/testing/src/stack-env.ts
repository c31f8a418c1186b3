import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The variables `hostplane stack env` prints (DESIGN.md §4), written by `stack up` to `<stateDir>/env.json`. */
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

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

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
