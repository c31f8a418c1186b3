// Shared by the mail integration tests and bench/mail.ts: the local stack's mail endpoints, the
// target wired to the real adapters, and mail-client helpers (SMTP in, IMAP out).
import { generateKeyPairSync } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { dnsPlatformConfigSchema } from '@hostplane/domain';
import {
  LocalMaildirRemover,
  RspamdDkimFiles,
  rspamdFilesOfStack,
} from '@hostplane/localstack/mail-adapters';
import { createDnsTarget, createPowerDnsZones } from '@hostplane/provisioner-dns';
import type { PassContext } from '@hostplane/reconcile';
import { loadStackEnv, stackStateDir } from '@hostplane/testing';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { hash } from '@node-rs/argon2';
import { pino } from 'pino';
import { DnsDkimPublication } from '../client/dns-publication.ts';
import { KubeDkimSecrets, MAIL_NAMESPACE } from '../client/kube-secrets-client.ts';
import { MysqlMailDatabase } from '../client/mysql-client.ts';
import type { MailTargetDeps } from '../target.ts';

export {
  hostPort,
  imapClient,
  newPassword,
  smtpTransport,
  submissionTransport,
  tls,
  waitForMessage,
} from '@hostplane/testing/mail';

export const env = loadStackEnv();
export const stateDir = stackStateDir();
/** A label unique to this run: parallel suites on the shared stack never share a domain. */
export const runTag = `m${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

/** Customer ids far from the panel's (1001…), distinct per test process. */
export function testCustomerId(offset = 0): number {
  return 800_000 + (process.pid % 50_000) * 4 + offset;
}

/** Test pass context; log lines are kept for assertions. */
export function passContext(lines: string[] = []): PassContext {
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { signal: new AbortController().signal, log };
}

/** The target's adapters on the local stack: the cluster truth (Secrets) and its local projection. */
export function stackDeps(): MailTargetDeps & { db: MysqlMailDatabase; dkimSecrets: KubeDkimSecrets } {
  return {
    db: new MysqlMailDatabase({ url: env.MAIL_DATABASE_URL }),
    dkimSecrets: KubeDkimSecrets.fromConfig({ kubeconfigFile: env.KUBECONFIG }),
    localRspamd: new RspamdDkimFiles(rspamdFilesOfStack(stateDir)),
    publication: new DnsDkimPublication([env.PDNS_DNS_ADDR]),
    maildirs: LocalMaildirRemover.ofStack(stateDir),
  };
}

export function coreApi(): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(env.KUBECONFIG);
  return kc.makeApiClient(CoreV1Api);
}

/** Bootstrap's job in the cluster; the target never creates namespaces. */
export async function ensureMailNamespace(api = coreApi()): Promise<void> {
  try {
    await api.readNamespace({ name: MAIL_NAMESPACE });
  } catch {
    await api
      .createNamespace({ body: { metadata: { name: MAIL_NAMESPACE } } })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err; // another suite made it meanwhile
      });
  }
}

/** An ARGON2ID hash with Dovecot's scheme prefix, as the API stores it. */
export async function dovecotHash(plain: string): Promise<string> {
  return `{ARGON2ID}${await hash(plain)}`;
}

/** mailauth asks this for TXT records: the local PowerDNS, as a verifier on the Internet would ask. */
export function pdnsResolver() {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([env.PDNS_DNS_ADDR]);
  return (name: string, rrtype: string) => {
    if (rrtype !== 'TXT') return resolver.resolve(name, rrtype) as Promise<string[]>;
    return resolver.resolveTxt(name);
  };
}

/** The DNS target on the local PowerDNS, to publish the DKIM TXT records a verifier looks up. */
export function dnsTarget() {
  const config = dnsPlatformConfigSchema.parse({
    nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
    soa: { contact: 'hostmaster@hostplane.test' },
    publicIPv4: ['192.0.2.10'],
    mail: { host: 'mail.hostplane.test', dmarcRua: 'dmarc@hostplane.test' },
  });
  const zones = createPowerDnsZones({ apiUrl: env.PDNS_API_URL, apiKey: env.PDNS_API_KEY });
  return createDnsTarget({ zones, config });
}

/** A DKIM key as apps/api/src/dkim.ts makes it (RSA 2048, DER SPKI base64, PKCS#8 PEM). */
export function dkimKey(selector: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { selector, publicKey: publicKey.toString('base64'), privateKeyPem: privateKey };
}
