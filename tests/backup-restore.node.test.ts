// Restores that bring sites back (issue 15) on the real node (HOSTPLANE_STACK_NODE=real;
// `npx vitest run --project node tests/backup-restore.node.test.ts`), Velero v1.18 as bootstrap renders it:
// - a site deleted after its backup: the backup row records what it holds (its sites), the restore
//   re-creates the panel's site row, Velero brings the objects and the volume back, the site serves the
//   file again and a resync of every target writes nothing;
// - a restore of one site of two: only that site's objects and volume go back to the backup, the other
//   site keeps its current data and its pod;
// - the platform-backup CronJob (backup-system, the panel's image) run as a Job on the node: the panel's
//   PostgreSQL, the mail DB and PowerDNS' DB (the stack's, as `bootstrap.external` through the node
//   gateway) land in S3, checksums as the manifest says, the panel's dump holding this file's customer.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile as writeLocalFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import { BACKUP_NAMESPACE } from '@hostplane/platform';
import { readManifest } from '@hostplane/platform-backup';
import { TERMINAL_PHASES } from '@hostplane/provisioner-backup';
import { KINDS } from '@hostplane/provisioner-k8s';
import type { PassContext } from '@hostplane/reconcile';
import { waitFor } from '@hostplane/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeEnv } from '../apps/cli/src/commands/serve.ts';
import { assembleTargets } from '../apps/cli/src/commands/serve-assemble.ts';
import { loadCustomerSnapshot } from '../packages/db/src/index.ts';
import { endBackupCustomer, startBackupCustomer } from './support/backup-customer.ts';
import { type Panel, runTag, serveVariables, stack } from './support/panel.ts';
import { platformBackupPrefix, podExec } from './support/velero-node.ts';

const FIRST_ID = 760_000 + (process.pid % 20_000) * 10;
const SLOW = 600_000;
const prefix = `node-${runTag}`;
const store = new S3ObjectStore(objectStoreSettingsFromEnv(stack));
const DOCROOT = '/usr/share/nginx/html';

let panel: Panel;
let customerId: number;
const ns = () => `cust-${customerId}`;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;

async function sitePod(site: string): Promise<Obj> {
  return waitFor(
    `a Running, Ready pod of site ${site}`,
    async () => {
      const pods: Obj[] = await panel.admin.list(KINDS.Pod, ns(), `hostplane.io/site=${site}`);
      return pods.find(
        (p) =>
          p.status?.phase === 'Running' &&
          !p.metadata.deletionTimestamp &&
          p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'),
      );
    },
    { timeoutMs: 240_000 },
  );
}

async function writeFile(site: string, file: string, content: string): Promise<void> {
  const pod = await sitePod(site);
  await podExec(stack.KUBECONFIG, ns(), pod.metadata.name, pod.spec.containers[0].name, [
    'sh',
    '-c',
    `printf '%s\\n' '${content}' > ${DOCROOT}/${file}`,
  ]);
}

/** Polls the site's Service until it serves `path` with `content` (kube-proxy may lag the pod). */
async function served(site: string, path: string, content: string): Promise<string> {
  return waitFor(
    `site ${site} serving ${path} with ${content}`,
    async () => {
      const service: Obj = await panel.admin.get(KINDS.Service, ns(), site);
      if (!service?.spec?.clusterIP) return undefined;
      const response = await fetch(`http://${service.spec.clusterIP}${path}`, {
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
      const body = response?.status === 200 ? await response.text() : '';
      return body.includes(content) ? body : undefined;
    },
    { timeoutMs: 180_000 },
  );
}

async function job(kind: 'backups' | 'restores', name: string) {
  return waitFor(
    `${kind} ${name} finished`,
    async () => {
      const res = await panel.http('GET', `/customers/${customerId}/${kind}`);
      const row = (res.body.items ?? res.body).find((r: Obj) => r.name === name);
      return row && TERMINAL_PHASES.has(row.phase) ? row : undefined;
    },
    { timeoutMs: SLOW },
  );
}

async function backUp(): Promise<Obj> {
  const asked = await panel.http('POST', `/customers/${customerId}/backups`, {});
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  const backup = await job('backups', asked.body.name);
  expect(backup.phase, JSON.stringify(backup)).toBe('Completed');
  return backup;
}

async function restore(body: object): Promise<Obj> {
  const asked = await panel.http('POST', `/customers/${customerId}/restores`, body);
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  const done = await job('restores', asked.body.name);
  expect(done.phase, JSON.stringify(done)).toBe('Completed');
  return done;
}

/** Every target once over the panel's rows, as the worker's resync runs them: the changes each wrote. */
async function resyncChanges(): Promise<Record<string, number>> {
  const logger = pino({ level: 'silent' });
  const ctx: PassContext = { signal: new AbortController().signal, log: logger };
  const env = parseServeEnv(serveVariables(panel.databaseUrl, panel.platformFile));
  const targets = assembleTargets(env, logger, panel.api.db, panel.platform);
  const snapshot = await loadCustomerSnapshot(panel.api.db, customerId);
  if (!snapshot) throw new Error('customer vanished');
  const changes: Record<string, number> = {};
  for (const target of targets) changes[target.name] = (await target.run(snapshot, ctx)).changes;
  return changes;
}

/** Every target of `hostplane serve`, each with 0 changes. */
const nothingWritten = {
  Backup: 0,
  Customer: 0,
  Databases: 0,
  DNS: 0,
  Kubernetes: 0,
  Mail: 0,
};

beforeAll(async () => {
  ({ panel, customerId } = await startBackupCustomer({
    firstId: FIRST_ID,
    prefix,
    name: 'Restore Ltd',
    slug: 'restore',
    platformDumpsPanel: true,
  }));
}, SLOW);

afterAll(() => endBackupCustomer({ panel, customerId }, prefix), SLOW);

describe('restores that bring deleted and single sites back, on the real node', () => {
  it(
    'a site deleted after its backup comes back: its row, its objects, its volume; a resync writes nothing',
    async () => {
      const created = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'web',
        template: 'static',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const content = `kept by the backup ${runTag}`;
      await writeFile('web', 'kept.txt', content);
      await served('web', '/kept.txt', content);

      const backup = await backUp();
      // What the backup holds, as the panel recorded it when Velero took it.
      expect(backup.contents).toEqual({ sites: ['web'], mailboxes: [], zones: [] });

      // The customer deletes the site: its row goes, the worker prunes its objects and its volume claim.
      expect((await panel.http('DELETE', `/customers/${customerId}/sites/web`)).status).toBe(204);
      await waitFor(
        'site web pruned (Deployment, Service, claim)',
        async () => {
          const left = await Promise.all(
            [KINDS.Deployment, KINDS.Service, KINDS.PersistentVolumeClaim].map((kind) =>
              panel.admin.list(kind, ns(), 'hostplane.io/site=web'),
            ),
          );
          return left.every((objects) => objects.length === 0) ? true : undefined;
        },
        { timeoutMs: 180_000 },
      );
      expect((await panel.http('GET', `/customers/${customerId}/sites/web`)).status).toBe(404);

      const done = await restore({ backup: backup.name });
      expect(done.sites ?? null).toBeNull();
      // The panel's row is back (as it was at backup time), so the next reconcile keeps what Velero restored.
      const site = await panel.http('GET', `/customers/${customerId}/sites/web`);
      expect(site.status, JSON.stringify(site.body)).toBe(200);
      expect(site.body).toMatchObject({ name: 'web', template: 'static' });
      await sitePod('web');
      expect(await served('web', '/kept.txt', content)).toContain(content);

      // Velero's objects and the panel's desired state agree: a resync of every target writes nothing.
      expect(await resyncChanges()).toEqual(nothingWritten);
      expect(await served('web', '/kept.txt', content)).toContain(content);
    },
    SLOW * 2,
  );

  it(
    'a restore of one site of two brings only that site back; the other keeps its data and its pod',
    async () => {
      const blog = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'blog',
        template: 'static',
      });
      expect(blog.status, JSON.stringify(blog.body)).toBe(201);
      for (const site of ['web', 'blog']) await writeFile(site, 'state.txt', `${site} before ${runTag}`);
      for (const site of ['web', 'blog']) await served(site, '/state.txt', `${site} before`);
      const backup = await backUp();
      expect(backup.contents).toEqual({ sites: ['blog', 'web'], mailboxes: [], zones: [] });

      for (const site of ['web', 'blog']) await writeFile(site, 'state.txt', `${site} after ${runTag}`);
      for (const site of ['web', 'blog']) await served(site, '/state.txt', `${site} after`);
      const webPodBefore = (await sitePod('web')).metadata.uid;

      // Names are checked against the backup: 422 naming the field, nothing created.
      const unknown = await panel.http('POST', `/customers/${customerId}/restores`, {
        backup: backup.name,
        sites: ['blog', 'shop'],
      });
      expect(unknown.status, JSON.stringify(unknown.body)).toBe(422);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'sites.1' })]);
      const invalid = await panel.http('POST', `/customers/${customerId}/restores`, {
        backup: backup.name,
        sites: ['Not A Site'],
      });
      expect(invalid.status, JSON.stringify(invalid.body)).toBe(422);
      const before = await panel.http('GET', `/customers/${customerId}/restores`);

      const done = await restore({ backup: backup.name, sites: ['blog'] });
      expect(done.sites).toEqual(['blog']);
      const after = await panel.http('GET', `/customers/${customerId}/restores`);
      expect(after.body.items.length).toBe(before.body.items.length + 1);

      expect(await served('blog', '/state.txt', `blog before ${runTag}`)).toContain('blog before');
      expect(await served('web', '/state.txt', `web after ${runTag}`)).toContain('web after');
      expect((await sitePod('web')).metadata.uid).toBe(webPodBefore);
      expect(await resyncChanges()).toEqual(nothingWritten);
    },
    SLOW * 2,
  );
});

describe('the platform-backup CronJob on the real node', () => {
  it(
    "a Job from it dumps the panel's PostgreSQL, the mail DB and PowerDNS' DB into S3; the panel's dump holds the customer",
    async () => {
      const name = `platform-backup-${runTag}`;
      // What the CronJob controller (or an operator) starts on the schedule.
      await promisify(execFile)('kubectl', [
        '--kubeconfig',
        stack.KUBECONFIG,
        '-n',
        BACKUP_NAMESPACE,
        'create',
        'job',
        name,
        '--from=cronjob/platform-backup',
      ]);
      const done: Obj = await waitFor(
        `Job ${name} finished`,
        async () => {
          const job: Obj = await panel.admin.get(KINDS.Job, BACKUP_NAMESPACE, name);
          const ended = job?.status?.conditions?.find(
            (c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
          );
          return ended ? job : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 1_000 },
      );
      if (!done.status.succeeded) {
        // Why: the container's termination message (its last log lines).
        const pods: Obj[] = await panel.admin.list(KINDS.Pod, BACKUP_NAMESPACE, `job-name=${name}`);
        const messages = pods.flatMap((p) =>
          (p.status?.containerStatuses ?? []).map((c: Obj) => c.state?.terminated?.message ?? ''),
        );
        throw new Error(`Job ${name} failed: ${JSON.stringify(done.status)}\n${messages.join('\n---\n')}`);
      }

      const at = platformBackupPrefix(prefix);
      const listed = await store.list(`${at}/`);
      const ids = [...new Set(listed.map((o) => o.key.slice(at.length + 1).split('/')[0]))];
      expect(ids).toHaveLength(1);
      const manifest = await readManifest(store, at, ids[0]!);
      expect(manifest.sources.map((s) => s.name).sort()).toEqual(['mail', 'panel', 'pdns']);
      const work = await mkdtemp(path.join(os.tmpdir(), 'platform-backup-'));
      try {
        const bytes: Record<string, Buffer> = {};
        for (const source of manifest.sources) {
          const data = Buffer.from(await store.getBytes(source.key));
          expect(data.length).toBe(source.bytes);
          expect(createHash('sha256').update(data).digest('hex')).toBe(source.sha256);
          bytes[source.name] = data;
        }
        // The panel's dump (pg_dump's custom format) holds this file's customer, as pg_restore reads it.
        const panelDump = path.join(work, 'panel.dump');
        await writeLocalFile(panelDump, bytes.panel!);
        const { stdout: customers } = await promisify(execFile)(
          'pg_restore',
          ['--data-only', '--table', 'customers', '--file', '-', panelDump],
          { maxBuffer: 64 * 1024 * 1024 },
        );
        expect(customers).toContain('Restore Ltd');
        expect(customers).toContain(`owner@${runTag}-restore.test`);
        // The MariaDB dumps are gzipped SQL with their tables.
        expect(gunzipSync(bytes.mail!).toString('utf8')).toMatch(/CREATE TABLE `virtual_users`/);
        expect(gunzipSync(bytes.pdns!).toString('utf8')).toMatch(/CREATE TABLE `domains`/);
      } finally {
        await rm(work, { recursive: true, force: true });
        await panel.admin.delete(KINDS.Job, BACKUP_NAMESPACE, name).catch(() => undefined);
      }
    },
    SLOW,
  );
});
