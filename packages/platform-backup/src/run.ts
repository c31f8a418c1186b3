import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '@hostplane/object-store';
import type { Logger } from 'pino';
import type { DatabaseTarget } from './database-url.ts';
import { archiveDirectory, dumpDatabase, extractDirectory, restoreDatabase } from './dumpers.ts';
import {
  backupId,
  backupsInListing,
  type DatabaseSource,
  expiredBackups,
  manifestKey,
  manifestSchema,
  objectKey,
  PLATFORM_SOURCES,
  type PlatformBackupManifest,
  type PlatformSource,
  sourceFile,
} from './plan.ts';

/** How a database is dumped and restored (dumpers.ts by default; the database tools are the adapter). */
export interface DatabaseTools {
  dump(db: DatabaseTarget, file: string): Promise<void>;
  restore(db: DatabaseTarget, file: string): Promise<void>;
}
export const databaseTools: DatabaseTools = { dump: dumpDatabase, restore: restoreDatabase };

/** How a directory (the Maildir volume) is archived and extracted (GNU tar by default). */
export interface DirectoryTools {
  archive(root: string, file: string): Promise<void>;
  extract(root: string, file: string): Promise<void>;
}
export const directoryTools: DirectoryTools = { archive: archiveDirectory, extract: extractDirectory };

export interface PlatformBackupDeps {
  store: ObjectStore;
  /** The databases to back up / restore, by source (panel PostgreSQL, mail DB, PowerDNS DB). */
  databases: Partial<Record<DatabaseSource, DatabaseTarget>>;
  /** Where Dovecot's Maildir volume is mounted (MAILDIR_ROOT); absent: the backup holds no messages. */
  maildirs?: string | undefined;
  /** Key prefix in the bucket (platform config `bootstrap.backup.platform.prefix`). */
  prefix: string;
  logger: Logger;
  tools?: DatabaseTools;
  directories?: DirectoryTools;
  now?: () => Date;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hostplane-platform-backup-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PlatformBackupResult {
  manifest: PlatformBackupManifest;
  /** Backups removed by retention after this one completed. */
  expired: string[];
}

/** `hostplane backup-platform`: dumps every configured database, uploads, writes the manifest last, prunes. */
export async function backupPlatform(
  deps: PlatformBackupDeps,
  retentionDays: number,
): Promise<PlatformBackupResult> {
  const tools = deps.tools ?? databaseTools;
  const now = deps.now ?? (() => new Date());
  const started = now();
  const id = backupId(started);
  await deps.store.ensureBucket();
  const sources = await withTempDir(async (dir) => {
    const done: PlatformBackupManifest['sources'] = [];
    for (const name of PLATFORM_SOURCES) {
      const copy = sourceCopier(deps, name, tools);
      if (!copy) continue;
      const t0 = Date.now();
      const file = path.join(dir, sourceFile(name));
      await copy.save(file);
      const key = objectKey(deps.prefix, id, sourceFile(name));
      await deps.store.put(key, { file });
      const entry = { name, key, bytes: (await stat(file)).size, sha256: await sha256(file) };
      deps.logger.info(
        { op: 'backup', source: name, key, bytes: entry.bytes, ms: Date.now() - t0 },
        'dumped',
      );
      done.push(entry);
    }
    return done;
  });
  if (sources.length === 0)
    throw new Error('nothing to back up: give at least one database URL or the Maildir root');
  const manifest: PlatformBackupManifest = {
    format: 'hostplane-platform-backup/1',
    id,
    createdAt: started.toISOString(),
    sources,
  };
  await deps.store.put(
    manifestKey(deps.prefix, id),
    { bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    'application/json',
  );
  const listing = backupsInListing(
    deps.prefix,
    (await deps.store.list(`${deps.prefix}/`)).map((o) => o.key),
  );
  const expired = expiredBackups(listing, now(), retentionDays);
  for (const old of expired) {
    const keys = (await deps.store.list(`${deps.prefix}/${old}/`)).map((o) => o.key);
    await deps.store.delete(keys);
    deps.logger.info({ op: 'expire', backup: old, objects: keys.length }, 'expired platform backup removed');
  }
  return { manifest, expired };
}

/** How one source is saved to a file and loaded back from it; null when the deps do not name it. */
function sourceCopier(
  deps: PlatformBackupDeps,
  source: PlatformSource,
  tools: DatabaseTools,
): { save(file: string): Promise<void>; load(file: string): Promise<void> } | null {
  if (source === 'maildir') {
    const root = deps.maildirs;
    const dirs = deps.directories ?? directoryTools;
    return root ? { save: (f) => dirs.archive(root, f), load: (f) => dirs.extract(root, f) } : null;
  }
  const db = deps.databases[source];
  return db ? { save: (f) => tools.dump(db, f), load: (f) => tools.restore(db, f) } : null;
}

/** The complete platform backups in the bucket, oldest first. */
export async function listPlatformBackups(store: ObjectStore, prefix: string): Promise<string[]> {
  return backupsInListing(
    prefix,
    (await store.list(`${prefix}/`)).map((o) => o.key),
  ).complete;
}

export async function readManifest(
  store: ObjectStore,
  prefix: string,
  id: string,
): Promise<PlatformBackupManifest> {
  const text = Buffer.from(await store.getBytes(manifestKey(prefix, id))).toString('utf8');
  const manifest = manifestSchema.parse(JSON.parse(text));
  if (manifest.id !== id) throw new Error(`manifest of ${id} names backup ${manifest.id}`);
  return manifest;
}

/**
 * `hostplane restore-platform`: restores the databases given (all of the backup's by default) from
 * backup `id` (the newest complete one by default). Every file is downloaded and its checksum checked
 * before the first database is touched.
 */
export async function restorePlatform(
  deps: PlatformBackupDeps,
  options: { id?: string; only?: readonly PlatformSource[] } = {},
): Promise<{ id: string; restored: PlatformSource[] }> {
  const tools = deps.tools ?? databaseTools;
  const id = options.id ?? (await listPlatformBackups(deps.store, deps.prefix)).at(-1);
  if (!id) throw new Error(`no complete platform backup under ${deps.store.bucket}/${deps.prefix}/`);
  const manifest = await readManifest(deps.store, deps.prefix, id);
  const wanted = manifest.sources.filter(
    (s) => (!options.only || options.only.includes(s.name)) && sourceCopier(deps, s.name, tools) !== null,
  );
  const missing = (options.only ?? []).filter((name) => !manifest.sources.some((s) => s.name === name));
  if (missing.length > 0) throw new Error(`backup ${id} holds no ${missing.join(', ')}`);
  if (wanted.length === 0)
    throw new Error(`backup ${id}: nothing to restore with the databases (and Maildir root) given`);
  return withTempDir(async (dir) => {
    const files = new Map<PlatformSource, string>();
    for (const source of wanted) {
      const file = path.join(dir, path.basename(source.key));
      await deps.store.download(source.key, file);
      const sum = await sha256(file);
      if (sum !== source.sha256)
        throw new Error(`${source.key}: checksum ${sum} is not the manifest's ${source.sha256}`);
      files.set(source.name, file);
    }
    for (const source of wanted) {
      const copy = sourceCopier(deps, source.name, tools);
      const file = files.get(source.name);
      if (!copy || !file) continue;
      const t0 = Date.now();
      await copy.load(file);
      deps.logger.info({ op: 'restore', source: source.name, backup: id, ms: Date.now() - t0 }, 'restored');
    }
    return { id, restored: wanted.map((s) => s.name) };
  });
}
