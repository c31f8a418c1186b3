// The Maildir volume's platform backup run for real (issue 15) on the real node
// (HOSTPLANE_STACK_NODE=real; images: `hostplane images build --only panel,dovecot,mariadb`).
// What production renders for mail-system with the backup step on — the smallest part of it that holds
// the Maildir volume and its CronJob: the mail DB (Dovecot's users), Dovecot (StatefulSet and its
// `maildirs` claim) and `platform-maildir-backup` (CronJob and its S3 Secret) — is applied as
// `bootstrap --apply` does. Messages are put into a mailbox over IMAP (APPEND, through Dovecot's
// Service with the PROXY header Traefik's TCP route sends); a Job is made from the CronJob with
// `kubectl create job --from=cronjob/…` (what an operator or the CronJob controller does); the archive
// is listed and read from the stack's S3 store with an S3 client and its checksum matches the
// manifest; the messages are deleted over IMAP; the disaster-recovery Job of docs/backups.md
// (`restore-platform --only maildir`, made from the same CronJob with the claim writable) brings them
// back and IMAP lists them again.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '@hostplane/domain';
import {
  localBootstrapConfigInput,
  REAL_NODE_POD_CIDR,
  resolveStateDir,
  SERVICE_CLUSTER_IP_RANGE,
} from '@hostplane/localstack';
import { objectStoreSettingsFromEnv, S3ObjectStore } from '@hostplane/object-store';
import {
  type BootstrapConfig,
  MAILDIR_BACKUP_APP,
  maildirBackupPrefix,
  maildirRestoreJob,
  parseBootstrapConfig,
  renderBootstrap,
} from '@hostplane/platform';
import { readManifest } from '@hostplane/platform-backup';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import {
  createMailTarget,
  KubeDkimSecrets,
  KubeRspamdMaps,
  MysqlMailDatabase,
  migrateMailDb,
} from '@hostplane/provisioner-mail';
import { loadStackEnv, type StackEnv, waitFor } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { hash } from '@node-rs/argon2';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from '../apps/cli/src/bootstrap/apply.ts';
import { uninstallBootstrap } from '../apps/cli/src/bootstrap/uninstall.ts';
import { type ImapEntryPoint, imapAt } from './support/mail-edge.ts';

const run = promisify(execFile);
const SLOW = 900_000;
const MAIL_NS = 'mail-system';
const tag = randomBytes(3).toString('hex');
const domain = `pm-${tag}.test`;
const user = { address: `keep@${domain}`, password: `pw-${randomBytes(9).toString('base64url')}` };
const platformPrefix = `node-platform-${tag}`;
const figures: Record<string, number> = {};

let env: StackEnv;
let kube: KubeHttpClient;
let config: BootstrapConfig;
let store: S3ObjectStore;
let steps: ReturnType<typeof renderBootstrap> = [];
let work: string;
let mailDb: MysqlMailDatabase | undefined;
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;

/** The objects of the mail step this file applies: Dovecot, its users' database, the Maildir backup. */
// mail-schema: the Job that makes the mail tables, which Dovecot's init container waits for.
const KEPT_APPS = new Set(['mail-db', 'mail-schema', 'dovecot', MAILDIR_BACKUP_APP]);

async function clusterIp(name: string): Promise<string> {
  const svc: Obj = await kube.get(KINDS.Service, MAIL_NS, name);
  return svc.spec.clusterIP;
}

function mailTlsSecret(dir: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'mail-tls', namespace: MAIL_NS, labels: { 'app.kubernetes.io/managed-by': 'test' } },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': readFileSync(path.join(dir, 'tls.crt')).toString('base64'),
      'tls.key': readFileSync(path.join(dir, 'tls.key')).toString('base64'),
    },
  } as KubeObject;
}

/** curl against Dovecot's Service: IMAP with STARTTLS, the PROXY header first (as Traefik sends it). */
async function imap(url: string, extra: string[] = []): Promise<string> {
  const dovecot: ImapEntryPoint = {
    addr: `${await clusterIp('dovecot')}:143`,
    scheme: 'imap',
    mailHost: config.bootstrap.hosts.mail,
    caFile: path.join(work, 'tls.crt'),
    haproxy: true,
  };
  return imapAt(dovecot, user, `/${url}`, extra);
}

/** The subjects IMAP lists in INBOX, sorted. */
async function inboxSubjects(): Promise<string[]> {
  const found = await imap('INBOX', ['-X', 'SEARCH ALL']);
  const uids = (/\* SEARCH([\d ]*)/.exec(found)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const subjects: string[] = [];
  for (const uid of uids) {
    const headers = await imap(`INBOX;MAILINDEX=${uid};SECTION=HEADER.FIELDS%20(SUBJECT)`);
    subjects.push(/^Subject: (.*)$/m.exec(headers)?.[1]?.trim() ?? '');
  }
  return subjects.sort();
}

/** A Job made from the CronJob as `kubectl create job --from=cronjob/…` makes it; waits for its end. */
async function runJob(job: KubeObject | { from: string }, name: string): Promise<Obj> {
  if ('from' in job) {
    await run('kubectl', [
      '--kubeconfig',
      env.KUBECONFIG,
      '-n',
      MAIL_NS,
      'create',
      'job',
      name,
      `--from=cronjob/${job.from}`,
    ]);
  } else {
    await kube.apply(job);
  }
  const started = Date.now();
  const failures = new Set<string>();
  const done: Obj = await waitFor(
    `Job ${name} finished`,
    async () => {
      // Why a run failed: the container's termination message (its last log lines).
      const pods: Obj[] = await kube.list(KINDS.Pod, MAIL_NS, `job-name=${name}`);
      for (const pod of pods)
        for (const status of pod.status?.containerStatuses ?? [])
          for (const state of [status.state, status.lastState])
            if (state?.terminated?.exitCode) failures.add(String(state.terminated.message ?? ''));
      const live: Obj = await kube.get(KINDS.Job, MAIL_NS, name);
      const ended = live?.status?.conditions?.find(
        (c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
      );
      return ended ? live : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  figures[`${name.replace(/-[0-9a-f]{6}$/, '')}Seconds`] = (Date.now() - started) / 1000;
  if (!done.status.succeeded)
    throw new Error(`Job ${name} failed: ${JSON.stringify(done.status)}\n${[...failures].join('\n---\n')}`);
  return done;
}

beforeAll(async () => {
  env = loadStackEnv();
  kube = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  store = new S3ObjectStore(objectStoreSettingsFromEnv(env));
  const input = localBootstrapConfigInput(resolveStateDir());
  config = parseBootstrapConfig({
    ...input,
    network: { clusterCidrs: [REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE] },
    bootstrap: {
      ...input.bootstrap,
      steps: ['mail', 'backup'],
      mail: { greylisting: false },
      backup: { ...input.bootstrap?.backup, platform: { prefix: platformPrefix } },
    },
  });
  steps = renderBootstrap(config)
    .filter((step) => step.namespace === MAIL_NS)
    .map((step) => ({
      ...step,
      objects: step.objects.filter(
        (o) => o.kind === 'Namespace' || KEPT_APPS.has(o.metadata.labels?.['app.kubernetes.io/name'] ?? ''),
      ),
    }));
  expect(steps.flatMap((s) => s.objects.map((o) => `${o.kind}/${o.metadata.name}`))).toEqual(
    expect.arrayContaining([
      'StatefulSet/dovecot',
      'StatefulSet/mail-db',
      `CronJob/${MAILDIR_BACKUP_APP}`,
      `Secret/${MAILDIR_BACKUP_APP}-env`,
    ]),
  );

  work = mkdtempSync(path.join(os.tmpdir(), 'platform-maildir-'));
  const host = config.bootstrap.hosts.mail;
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${host}`,
    '-addext',
    `subjectAltName=DNS:${host}`,
    '-keyout',
    path.join(work, 'tls.key'),
    '-out',
    path.join(work, 'tls.crt'),
  ]);
  await kube.apply(steps[0]!.objects.find((o) => o.kind === 'Namespace')!);
  await kube.apply(mailTlsSecret(work));
  const started = Date.now();
  await applyBootstrap(kube, steps, {
    timeoutMs: 600_000,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  figures.mailReadySeconds = (Date.now() - started) / 1000;

  // The mailbox, as the panel's Mail target writes it into the mail DB.
  const url = `mysql://mail:${encodeURIComponent(config.bootstrap.secrets.mailDbPassword)}@${await clusterIp('mail-db')}:3306/mail`;
  await migrateMailDb(url);
  mailDb = new MysqlMailDatabase({ url });
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const target = createMailTarget({
    db: mailDb,
    dkimSecrets: KubeDkimSecrets.fromConfig({ kubeconfigFile: env.KUBECONFIG }),
    rspamdMaps: KubeRspamdMaps.fromConfig({ kubeconfigFile: env.KUBECONFIG }),
    localRspamd: null,
    publication: null,
    maildirs: null,
  });
  const snapshot = customerSnapshot({
    id: 910_000 + (process.pid % 10_000),
    domains: [
      mailDomain(domain, {
        dkim: {
          selector: `hp${tag}`,
          publicKey: keys.publicKey.toString('base64'),
          privateKeyPem: keys.privateKey,
          previousSelector: null,
          previousPublicKey: null,
        },
      }),
    ],
    mailboxes: [
      {
        id: 1,
        address: user.address,
        passwordHash: `{ARGON2ID}${await hash(user.password)}`,
        quotaBytes: 50 * 1024 * 1024,
        enabled: true,
        sendLimitPerHour: 50,
      },
    ],
    aliases: [],
  });
  const outcome = await target.run(snapshot, {
    signal: new AbortController().signal,
    log: pino({ level: 'warn' }),
  });
  expect(outcome).toMatchObject({ status: 'True' });
}, SLOW);

afterAll(async () => {
  process.stdout.write(`platform-maildir figures: ${JSON.stringify(figures)}\n`);
  await mailDb?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (store) {
    const keys = (await store.list(`${platformPrefix}/`).catch(() => [])).map((o) => o.key);
    await store.delete(keys).catch(() => undefined);
  }
  if (kube && steps.length > 0) await uninstallBootstrap(kube, steps, { timeoutMs: 600_000 });
}, SLOW);

describe('the platform-maildir-backup CronJob on the real node', () => {
  it(
    'a Job from the CronJob archives the Maildir volume into S3; the restore Job brings deleted messages back to IMAP',
    async () => {
      const subjects = [`first ${tag}`, `second ${tag}`];
      for (const subject of subjects) {
        const file = path.join(work, 'message.eml');
        writeFileSync(
          file,
          `From: someone@elsewhere.test\r\nTo: ${user.address}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(' ', '.')}@elsewhere.test>\r\n\r\nkept by the platform backup\r\n`,
        );
        await imap('INBOX', ['-T', file]);
      }
      expect(await inboxSubjects()).toEqual(subjects);

      // The CronJob's Job, as the controller would start it on the schedule.
      await runJob({ from: MAILDIR_BACKUP_APP }, `maildir-backup-${tag}`);
      const prefix = maildirBackupPrefix(config);
      expect(prefix).toBe(`${platformPrefix}/maildir`);
      const listed = await store.list(`${prefix}/`);
      const ids = [...new Set(listed.map((o) => o.key.slice(prefix.length + 1).split('/')[0]))];
      expect(ids).toHaveLength(1);
      const id = ids[0]!;
      expect(listed.map((o) => o.key.split('/').at(-1)).sort()).toEqual(['maildir.tar.gz', 'manifest.json']);
      const manifest = await readManifest(store, prefix, id);
      expect(manifest.sources.map((s) => s.name)).toEqual(['maildir']);
      const archive = Buffer.from(await store.getBytes(manifest.sources[0]!.key));
      expect(archive.length).toBe(manifest.sources[0]!.bytes);
      expect(createHash('sha256').update(archive).digest('hex')).toBe(manifest.sources[0]!.sha256);
      figures.archiveBytes = archive.length;
      // The archive holds the mailbox's two message files (any operator reads it with tar).
      const archiveFile = path.join(work, 'maildir.tar.gz');
      writeFileSync(archiveFile, archive);
      const { stdout: listing } = await run('tar', ['-tzf', archiveFile]);
      const messages = listing.split('\n').filter((l) => l.includes(domain) && /\/(cur|new)\/[^/]+$/.test(l));
      expect(messages).toHaveLength(2);

      // The messages are lost (deleted over IMAP and expunged).
      await imap('INBOX', ['-X', 'STORE 1:* +FLAGS (\\Deleted)']);
      await imap('INBOX', ['-X', 'EXPUNGE']);
      expect(await inboxSubjects()).toEqual([]);

      // Disaster recovery as docs/backups.md says: a Job from the same CronJob running restore-platform,
      // the claim writable.
      await runJob(maildirRestoreJob(config, `maildir-restore-${tag}`), `maildir-restore-${tag}`);
      expect(await inboxSubjects()).toEqual(subjects);
    },
    SLOW,
  );
});
