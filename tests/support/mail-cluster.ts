// The cluster's system steps on the real node for node tests (issues 13, 14, 17): the dns-system,
// mail-system and ingress-system steps `hostplane bootstrap` renders for production (same renderer,
// same images, built locally by `hostplane images build`), applied and waited for as `bootstrap --apply`
// does, then uninstalled the product's way. Real clients on the host reach them through their Services
// (kube-proxy's ClusterIPs), as Traefik's TCP routes would, PROXY header included, or through Traefik's
// entry points on the node (bootstrap.edge.hostPorts). Used by tests/mail-cluster.node.test.ts (one
// install for the suites under tests/mail-cluster/) and bench/edge-node.ts.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
import {
  type BootstrapConfig,
  type BootstrapConfigInput,
  parseBootstrapConfig,
  renderBootstrap,
} from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import {
  createMailTarget,
  KubeDkimSecrets,
  KubeRspamdMaps,
  MysqlMailDatabase,
} from '@hostplane/provisioner-mail';
import { loadStackEnv, type StackEnv } from '@hostplane/testing';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import { hash } from '@node-rs/argon2';
import { pino } from 'pino';
import { applyBootstrap } from '../../apps/cli/src/bootstrap/apply.ts';
import { uninstallBootstrap } from '../../apps/cli/src/bootstrap/uninstall.ts';
import { type ImapEntryPoint, imapAt, imapMessageAt, swaksAt } from './mail-edge.ts';

export const run = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
export type Obj = any;
type Section = NonNullable<BootstrapConfigInput['bootstrap']>;

export interface MailClusterOptions {
  /** The bootstrap steps to apply (default: dns and mail). */
  steps?: Section['steps'];
  /** Overrides of the bootstrap section (e.g. edge.hostPorts for Traefik's entry points on the node). */
  bootstrap?: Partial<Section>;
  /** Filters the rendered objects (e.g. to leave a workload out). */
  keep?: (o: KubeObject) => boolean;
}

export interface MailCluster {
  env: StackEnv;
  kube: KubeHttpClient;
  config: BootstrapConfig;
  /** The steps applied (and uninstalled by `uninstall`). */
  steps: ReturnType<typeof renderBootstrap>;
  /** The CA that signed the mail host's certificate (PEM file; also the config's acme.trustedRootsPem).
   * Made whatever the steps, so that one config serves every step. */
  caFile: string;
  /** Seconds from apply to every workload Ready. */
  readySeconds: number;
  uninstall(): Promise<void>;
}

/** The ClusterIP of a Service (kube-proxy on the node forwards it to the pods). */
export async function clusterIp(kube: KubeHttpClient, ns: string, name: string): Promise<string> {
  const svc: Obj = await kube.get(KINDS.Service, ns, name);
  return svc.spec.clusterIP;
}

/**
 * Creates a customer's zone through the in-cluster PowerDNS API, as the panel's DNS target does: its
 * SOA and `records` (TTL 60). Returns the API's answer (201 when created).
 */
export async function createZone(
  cluster: MailCluster,
  zone: string,
  records: { name: string; type: string; content: string }[],
): Promise<Response> {
  const api = `http://${await clusterIp(cluster.kube, 'dns-system', 'pdns-api')}:8081/api/v1/servers/localhost/zones`;
  return fetch(api, {
    method: 'POST',
    headers: { 'X-API-Key': cluster.config.bootstrap.secrets.pdnsApiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `${zone}.`,
      kind: 'Native',
      nameservers: [],
      rrsets: [
        {
          name: `${zone}.`,
          type: 'SOA',
          ttl: 300,
          records: [{ content: `ns1.${zone}. hostmaster.${zone}. 1 10800 3600 604800 300`, disabled: false }],
        },
        ...records.map((r) => ({
          name: r.name,
          type: r.type,
          ttl: 60,
          records: [{ content: r.content, disabled: false }],
        })),
      ],
    }),
  });
}

/** The last 10 minutes of a mail-system workload's log (`kubectl logs`), e.g. `statefulset/postfix`. */
export async function mailSystemLog(
  cluster: MailCluster,
  workload: string,
  container?: string,
): Promise<string> {
  const { stdout } = await run('kubectl', [
    ...['--kubeconfig', cluster.env.KUBECONFIG, '-n', 'mail-system', 'logs', workload],
    ...(container ? ['-c', container] : []),
    '--since=10m',
  ]);
  return stdout;
}

/** A CA and the mail host's certificate signed by it, in `dir` (what the edge's ACME would provide,
 * from an ACME CA the install trusts through acme.trustedRootsPem). */
async function mailCertificate(dir: string, host: string): Promise<void> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args);
  await openssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hostplane test ACME CA'],
    ...['-keyout', file('ca.key'), '-out', file('ca.crt')],
  );
  await openssl(
    ...['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${host}`],
    ...['-keyout', file('tls.key'), '-out', file('tls.csr')],
  );
  writeFileSync(file('ext.cnf'), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  await openssl(
    ...['x509', '-req', '-in', file('tls.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')],
    ...['-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('tls.crt')],
  );
}

function mailTlsSecret(dir: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'mail-tls',
      namespace: 'mail-system',
      labels: { 'app.kubernetes.io/managed-by': 'test' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': readFileSync(path.join(dir, 'tls.crt')).toString('base64'),
      'tls.key': readFileSync(path.join(dir, 'tls.key')).toString('base64'),
    },
  } as KubeObject;
}

/**
 * Applies `steps` (default dns and mail) of the local bootstrap config onto the real node and waits for
 * them: mail-system's namespace and the mail host's certificate first (Postfix and Dovecot mount it).
 */
export async function installMailCluster(options: MailClusterOptions = {}): Promise<MailCluster> {
  const env = loadStackEnv();
  const kube = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  const input = localBootstrapConfigInput(resolveStateDir());
  const work = mkdtempSync(path.join(os.tmpdir(), 'mail-cluster-'));
  const mailHost = input.bootstrap.hosts.mail;
  await mailCertificate(work, mailHost);
  const config = parseBootstrapConfig({
    ...input,
    // This cluster's pod and Service ranges: PowerDNS's API and the PROXY headers are trusted from them.
    network: { clusterCidrs: [REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE] },
    bootstrap: {
      ...input.bootstrap,
      steps: options.steps ?? ['dns', 'mail'],
      // dns-system over its own MariaDB (pdns-db), not the stack's database `bootstrap --local` shares.
      external: { ...input.bootstrap.external, pdnsDatabaseUrl: undefined },
      // Greylisting off (bootstrap.mail.greylisting): it would hold the first message 5 minutes.
      mail: { greylisting: false },
      // The ACME CA that issued the mail host's certificate is a private one (as the local Pebble).
      acme: { ...input.bootstrap.acme, trustedRootsPem: readFileSync(path.join(work, 'ca.crt'), 'utf8') },
      ...options.bootstrap,
    },
  });
  const keep = options.keep ?? (() => true);
  const steps = renderBootstrap(config).map((step) => ({ ...step, objects: step.objects.filter(keep) }));
  const mailNs = steps
    .find((s) => s.namespace === 'mail-system')
    ?.objects.find((o) => o.kind === 'Namespace');
  if (mailNs) {
    await kube.apply(mailNs);
    await kube.apply(mailTlsSecret(work));
  }
  const started = Date.now();
  await applyBootstrap(kube, steps, {
    timeoutMs: 600_000,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  return {
    env,
    kube,
    config,
    steps,
    caFile: path.join(work, 'ca.crt'),
    readySeconds: (Date.now() - started) / 1000,
    async uninstall() {
      rmSync(work, { recursive: true, force: true });
      // Everything the steps created goes, namespaces and cluster-scoped objects, and the namespaces
      // are gone before the next file: a later install (tests/install.node) must not meet them
      // terminating.
      await uninstallBootstrap(kube, steps, { timeoutMs: 600_000 });
    },
  };
}

export interface TestMailbox {
  address: string;
  password: string;
}

export function newMailbox(local: string, domain: string): TestMailbox {
  return { address: `${local}@${domain}`, password: `pw-${randomBytes(9).toString('base64url')}` };
}

/**
 * A customer's mail domain with its mailboxes written by the panel's Mail target into the in-cluster mail DB, a DKIM Secret into
 * mail-system and the rspamd-maps ConfigMap. Returns the DB (close it) and the DKIM public key.
 */
export async function provisionMailDomain(
  cluster: MailCluster,
  domain: string,
  selector: string,
  mailboxes: TestMailbox[],
  /** The customer that owns the domain: distinct per suite (the Mail target writes a customer's whole
   * mail, so a second domain under the same customer would replace the first). */
  customerId = 900_000 + (process.pid % 10_000),
): Promise<{ db: MysqlMailDatabase; publicKey: string }> {
  const mailDb = await clusterIp(cluster.kube, 'mail-system', 'mail-db');
  const url = `mysql://mail:${encodeURIComponent(cluster.config.bootstrap.secrets.mailDbPassword)}@${mailDb}:3306/mail`;
  // No migration here: mail-system's mail-schema Job made the tables before Postfix and Dovecot started.
  const db = new MysqlMailDatabase({ url });
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const target = createMailTarget({
    db,
    dkimSecrets: KubeDkimSecrets.fromConfig({ kubeconfigFile: cluster.env.KUBECONFIG }),
    rspamdMaps: KubeRspamdMaps.fromConfig({ kubeconfigFile: cluster.env.KUBECONFIG }),
    localRspamd: null,
    publication: null,
    maildirs: null,
  });
  const snapshot = customerSnapshot({
    id: customerId,
    domains: [
      mailDomain(domain, {
        dkim: {
          selector,
          publicKey: keys.publicKey.toString('base64'),
          privateKeyPem: keys.privateKey,
          previousSelector: null,
          previousPublicKey: null,
        },
      }),
    ],
    mailboxes: await Promise.all(
      mailboxes.map(async (m, i) => ({
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
  if (outcome.status !== 'True') throw new Error(`mail target: ${JSON.stringify(outcome)}`);
  return { db, publicKey: keys.publicKey.toString('base64') };
}

/** swaks through the postfix Service, with the PROXY header Traefik's TCP route would send. */
export async function swaks(
  cluster: MailCluster,
  port: number,
  args: string[],
  sourceIp = '198.51.100.7',
): Promise<string> {
  const ip = await clusterIp(cluster.kube, 'mail-system', 'postfix');
  return swaksAt(`${ip}:${port}`, args, undefined, sourceIp);
}

/** The dovecot Service's IMAP port as an entry point (STARTTLS, PROXY header first). */
export async function dovecotImap(cluster: MailCluster): Promise<ImapEntryPoint> {
  const ip = await clusterIp(cluster.kube, 'mail-system', 'dovecot');
  return {
    addr: `${ip}:143`,
    scheme: 'imap',
    mailHost: cluster.config.bootstrap.hosts.mail,
    caFile: cluster.caFile,
    haproxy: true,
  };
}

/** curl's IMAP client against the dovecot Service (STARTTLS, PROXY header first), as `user`. */
export async function imapCurl(
  cluster: MailCluster,
  user: TestMailbox,
  url: string,
  extra: string[] = [],
): Promise<string> {
  return imapAt(await dovecotImap(cluster), user, `/${url}`, extra);
}

/** The first message whose subject matches, in the first of `folders` that has one, over IMAP. */
export async function imapMessage(
  cluster: MailCluster,
  user: TestMailbox,
  subject: string,
  folders: string[] = ['INBOX'],
): Promise<string> {
  return imapMessageAt(await dovecotImap(cluster), user, subject, folders);
}
