import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StackSecrets } from './component.ts';
import { repoRoot, stackStateDir } from './stack-env.ts';

export { repoRoot };

/** The files of one stack's state folder. Each component owns `<stateDir>/<name>/`. */
export interface StatePaths {
  stateDir: string;
  pidsDir: string;
  logsDir: string;
  secretsFile: string;
  envFile: string;
}

/** `HOSTPLANE_STACK_DIR` or `<repo>/.hostplane/stack` (the same rule `loadStackEnv()` reads with). */
export function resolveStateDir(explicit?: string): string {
  return path.resolve(explicit ?? stackStateDir());
}

export function statePaths(stateDir: string): StatePaths {
  return {
    stateDir,
    pidsDir: path.join(stateDir, 'pids'),
    logsDir: path.join(stateDir, 'logs'),
    secretsFile: path.join(stateDir, 'secrets.json'),
    envFile: path.join(stateDir, 'env.json'),
  };
}

export function ensureStateDirs(paths: StatePaths): void {
  for (const dir of [paths.stateDir, paths.pidsDir, paths.logsDir]) mkdirSync(dir, { recursive: true });
}

const secretsSchema = z.object({
  postgresPassword: z.string().min(16),
  mariadbRootPassword: z.string().min(16),
  mailDbPassword: z.string().min(16),
  mailDbReadonlyPassword: z.string().min(16),
  pdnsDbPassword: z.string().min(16),
  pdnsApiKey: z.string().min(16),
  // Added with the local internet, the object store and issue 17's doveadm: a state folder from
  // before gets them generated (below).
  registryApiKey: z.string().min(16).optional(),
  s3SecretKey: z.string().min(16).optional(),
  doveadmApiKey: z.string().min(16).optional(),
}) satisfies z.ZodType<
  Omit<StackSecrets, 'registryApiKey' | 's3SecretKey' | 'doveadmApiKey'> & {
    registryApiKey?: string;
    s3SecretKey?: string;
    doveadmApiKey?: string;
  }
>;

// Hex only: the secrets land in URLs, pdns.conf and Postfix/Dovecot map files without quoting.
function newSecret(): string {
  return randomBytes(18).toString('hex');
}

/** Reads `<stateDir>/secrets.json`, generating it (mode 600) the first time. */
export function loadOrCreateSecrets(paths: StatePaths): StackSecrets {
  if (existsSync(paths.secretsFile)) {
    const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(paths.secretsFile, 'utf8')));
    if (!parsed.success) {
      throw new Error(
        `${paths.secretsFile} is not valid (${parsed.error.message}); run: hostplane stack down --purge`,
      );
    }
    const { registryApiKey, s3SecretKey, doveadmApiKey } = parsed.data;
    if (registryApiKey && s3SecretKey && doveadmApiKey)
      return { ...parsed.data, registryApiKey, s3SecretKey, doveadmApiKey };
    const upgraded: StackSecrets = {
      ...parsed.data,
      registryApiKey: registryApiKey ?? newSecret(),
      s3SecretKey: s3SecretKey ?? newSecret(),
      doveadmApiKey: doveadmApiKey ?? newSecret(),
    };
    writeFileAtomic(paths.secretsFile, `${JSON.stringify(upgraded, null, 2)}\n`, 0o600);
    return upgraded;
  }
  const secrets: StackSecrets = {
    postgresPassword: newSecret(),
    mariadbRootPassword: newSecret(),
    mailDbPassword: newSecret(),
    mailDbReadonlyPassword: newSecret(),
    pdnsDbPassword: newSecret(),
    pdnsApiKey: newSecret(),
    registryApiKey: newSecret(),
    s3SecretKey: newSecret(),
    doveadmApiKey: newSecret(),
  };
  writeFileAtomic(paths.secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  return secrets;
}

export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Writes the file only when its content differs, so a no-op `up` changes nothing on disk. */
export function writeFileIfChanged(file: string, text: string, mode = 0o644): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === text && (statSync(file).mode & 0o777) === mode)
    return false;
  writeFileAtomic(file, text, mode);
  return true;
}
