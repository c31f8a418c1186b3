// The production dns/mail(/ingress) steps of `hostplane bootstrap` on the real node, for the node tests
// that exercise them (tests/mail-dns-cluster.node.test.ts, tests/edge-mail.node.test.ts): the bootstrap
// config of this stack's node, the mail host's certificate, applying/uninstalling the steps the
// product's way, and mailboxes written by the panel's Mail target into the in-cluster mail DB.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
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
import {
  type BootstrapConfig,
  type BootstrapConfigInput,
  parseBootstrapConfig,
  renderBootstrap,
} from '@hostplane/platform';
import { KINDS, type KubeHttpClient } from '@hostplane/provisioner-k8s';
import {
  createMailTarget,
  KubeDkimSecrets,
  KubeRspamdMaps,
  MysqlMailDatabase,
  migrateMailDb,
} from '@hostplane/provisioner-mail';
import type { StackEnv } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { hash } from '@node-rs/argon2';
import { pino } from 'pino';
import { applyBootstrap } from '../../apps/cli/src/bootstrap/apply.ts';

const run = promisify(execFile);
type Steps = ReturnType<typeof renderBootstrap>;
type Section = NonNullable<BootstrapConfigInput['bootstrap']>;

/**
 * The bootstrap config of this stack's real node for `steps`: this cluster's pod and Service ranges
 * (PowerDNS's API and the PROXY headers are trusted from them), greylisting off (it would hold the first
 * message 5 minutes), plus `bootstrap` overrides.
 */
export function clusterBootstrapConfig(
  steps: Section['steps'],
  bootstrap: Partial<Section> = {},
): BootstrapConfig {
  const input = localBootstrapConfigInput(resolveStateDir());
  return parseBootstrapConfig({
    ...input,
    network: { clusterCidrs: [REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE] },
    bootstrap: { ...input.bootstrap, steps, mail: { greylisting: false }, ...bootstrap },
  });
}

/** The rendered steps without the webmail (its image is not built for these tests). */
export function clusterSteps(config: BootstrapConfig): Steps {
  return renderBootstrap(config).map((step) => ({
    ...step,
    objects: step.objects.filter((o) => !o.metadata.name.startsWith('webmail')),
  }));
}

/** The ClusterIP of a Service (kube-proxy on the node forwards it to the pods). */
export async function clusterIp(kube: KubeHttpClient, ns: string, name: string): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: a Service read for its address
  const svc: any = await kube.get(KINDS.Service, ns, name);
  return svc.spec.clusterIP;
}

/**
 * The mail host's certificate (in production: the edge's ACME certificate of bootstrap.hosts.mail), as
 * files in a fresh directory (tls.crt is the CA a client trusts) and as the mail-system Secret.
 */
export async function mailCertificate(host: string): Promise<{ dir: string; secret: KubeObject }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mail-tls-'));
  const crt = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
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
    key,
    '-out',
    crt,
  ]);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'mail-tls',
      namespace: 'mail-system',
      labels: { 'app.kubernetes.io/managed-by': 'test' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': readFileSync(crt).toString('base64'),
      'tls.key': readFileSync(key).toString('base64'),
    },
  } as KubeObject;
  return { dir, secret };
}

/** mail-system's namespace and the mail certificate first (Postfix and Dovecot mount it), then every
 * step applied and waited for as `bootstrap --apply` does. */
export async function applyClusterSteps(
  kube: KubeHttpClient,
  steps: Steps,
  mailTls?: KubeObject,
): Promise<void> {
  const mail = steps.find((s) => s.namespace === 'mail-system');
  const mailNs = mail?.objects.find((o) => o.kind === 'Namespace');
  if (mailNs && mailTls) {
    await kube.apply(mailNs);
    await kube.apply(mailTls);
  }
  await applyBootstrap(kube, steps, {
    timeoutMs: 600_000,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
}

export interface Mailbox {
  address: string;
  password: string;
}

/** What the in-cluster panel does: migrate the mail tables, then its Mail target writes a customer's
 * mail domain (optionally with a DKIM key) and mailboxes into the in-cluster mail DB and mail-system. */
export async function provisionClusterMail(
  env: StackEnv,
  kube: KubeHttpClient,
  config: BootstrapConfig,
  options: { customerId: number; domain: string; mailboxes: Mailbox[]; dkimSelector?: string },
): Promise<{ db: MysqlMailDatabase; dkimPublicKey: string }> {
  const mailDb = await clusterIp(kube, 'mail-system', 'mail-db');
  const url = `mysql://mail:${encodeURIComponent(config.bootstrap.secrets.mailDbPassword)}@${mailDb}:3306/mail`;
  await migrateMailDb(url);
  const db = new MysqlMailDatabase({ url });
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const target = createMailTarget({
    db,
    dkimSecrets: KubeDkimSecrets.fromConfig({ kubeconfigFile: env.KUBECONFIG }),
    rspamdMaps: KubeRspamdMaps.fromConfig({ kubeconfigFile: env.KUBECONFIG }),
    localRspamd: null,
    publication: null,
    maildirs: null,
  });
  const snapshot = customerSnapshot({
    id: options.customerId,
    domains: [
      mailDomain(
        options.domain,
        options.dkimSelector
          ? {
              dkim: {
                selector: options.dkimSelector,
                publicKey: keys.publicKey.toString('base64'),
                privateKeyPem: keys.privateKey,
                previousSelector: null,
                previousPublicKey: null,
              },
            }
          : {},
      ),
    ],
    mailboxes: await Promise.all(
      options.mailboxes.map(async (m, i) => ({
        id: i + 1,
        address: m.address,
        passwordHash: `{ARGON2ID}${await hash(m.password)}`,
        quotaBytes: 50 * 1024 * 1024,
        enabled: true,
        sendLimitPerHour: 50,
      })),
    ),
    aliases: [],
  });
  const outcome = await target.run(snapshot, {
    signal: new AbortController().signal,
    log: pino({ level: 'warn' }),
  });
  if (outcome.status !== 'True') throw new Error(`the Mail target failed: ${JSON.stringify(outcome)}`);
  return { db, dkimPublicKey: keys.publicKey.toString('base64') };
}
