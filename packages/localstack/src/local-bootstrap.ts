// `hostplane bootstrap --local` (DESIGN.md §4): the bootstrap config of the local stack's real node,
// derived from the running stack. The same renderer production uses installs, in the seed's order,
// dns-system (PowerDNS), mail-system (mail DB, Postfix, Dovecot, Rspamd, webmail), ingress-system
// (Traefik as a pod, its web/websecure, mail and DNS entry points bound on the node by hostPorts),
// backup-system (Velero and its node agent, the stack's S3 store as the storage location),
// monitoring-system (Prometheus alone) and panel-system (API, worker, web), and the in-cluster panel uses the in-cluster PowerDNS API, mail DB and
// doveadm. What stays a host process of the stack is `bootstrap.external`, reached through the node
// gateway on the node's address (components/node-gateway.ts): the panel's PostgreSQL, the resolver of
// the local internet, Pebble, S3 — and PowerDNS's database: dns-system's PowerDNS runs over the stack's
// `pdns` database, so the stack's own PowerDNS (where the local internet's delegations and Pebble's
// lookups go) serves the zones the in-cluster panel writes, as two PowerDNS replicas over one database do.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BootstrapConfigInput, parsePlatformConfig } from '@hostplane/platform';
import { z } from 'zod';
import { kubeconfigPath } from './components/kube-access.ts';
import {
  ensureKubePki,
  kubePki,
  MAIL_HOST_CERT,
  REAL_NODE_IP,
  REAL_NODE_POD_CIDR,
  SERVICE_CLUSTER_IP_RANGE,
} from './components/kube-pki.ts';
import { LOCAL_STORAGE_CLASS } from './components/local-volumes.ts';
import { nodePaths } from './components/node-config.ts';
import { S3_ACCESS_KEY, S3_BUCKET } from './components/s3.ts';
import { sftpHostKeyFiles } from './components/sftp.ts';
import { STACK_HOST, stackPorts } from './ports.ts';
import { loadOrCreateSecrets, statePaths } from './state.ts';

/** Pebble's listener certificate names `pebble` (stack PKI); pods reach it through the node gateway. */
export const LOCAL_PEBBLE_HOST = 'pebble';

const envSchema = z.object({
  DATABASE_URL: z.string(),
  PDNS_DATABASE_URL: z.string(),
  S3_ENDPOINT: z.string(),
  S3_SECRET_KEY: z.string(),
});

/** A URL of the stack (on 127.0.0.1) as a pod of the real node reaches it: the node's address. */
export function throughNode(url: string): string {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`expected a loopback URL of the stack, got ${u.host}`);
  u.hostname = REAL_NODE_IP;
  return u.toString().replace(/\/$/, '');
}

/** Stable per-stack secrets for the rendered objects the stack has no secret of its own for. */
function derived(seed: string, label: string): string {
  return createHmac('sha256', seed).update(label).digest('base64url').slice(0, 32);
}

export function localBootstrapConfigInput(stateDir: string): BootstrapConfigInput {
  const paths = statePaths(stateDir);
  if (!existsSync(paths.envFile))
    throw new Error(`the local stack is not up (no ${paths.envFile}); run: npx hostplane stack up`);
  const env = envSchema.parse(JSON.parse(readFileSync(paths.envFile, 'utf8')));
  const secrets = loadOrCreateSecrets(paths);
  const platform = parsePlatformConfig({});
  const ports = stackPorts;
  const seed = secrets.postgresPassword;
  return {
    // The tenant-facing part: the local stack's public address (its PowerDNS answers 127.0.0.1 for
    // hosted names, and HTTP_ADDR/HTTPS_ADDR are there) and the StorageClass of its real node.
    publicAddresses: { ipv4: ['127.0.0.1'] },
    storage: { storageClass: LOCAL_STORAGE_CLASS },
    // The real node's pod and Service ranges: PowerDNS's API and the mail PROXY headers trust them.
    network: { clusterCidrs: [REAL_NODE_POD_CIDR, SERVICE_CLUSTER_IP_RANGE] },
    bootstrap: {
      steps: [...LOCAL_STEPS],
      // Greylisting would hold a first message 5 minutes (the host stack's Rspamd has it off too).
      mail: { greylisting: false },
      hosts: {
        panel: platform.platformDomains.panelHost,
        mail: platform.dns.mail?.host ?? `mail.${platform.platformDomains.zone}`,
      },
      acme: {
        email: `hostmaster@${platform.platformDomains.zone}`,
        caServer: `https://${LOCAL_PEBBLE_HOST}:${ports.pebble}/dir`,
        // Pebble's listener certificate comes from the stack CA.
        trustedRootsPem: readFileSync(kubePki(stateDir).caCert, 'utf8'),
      },
      hostAliases: [{ ip: REAL_NODE_IP, hostnames: [LOCAL_PEBBLE_HOST] }],
      edge: {
        serviceType: 'ClusterIP',
        hostPorts: {
          web: ports.edgeHttp,
          websecure: ports.edgeHttps,
          mail: {
            smtp: ports.edgeSmtp,
            submission: ports.edgeSubmission,
            imap: ports.edgeImap,
            imaps: ports.edgeImaps,
          },
          dns: ports.edgeDns,
        },
      },
      external: {
        panelDatabaseUrl: throughNode(env.DATABASE_URL),
        pdnsDatabaseUrl: throughNode(env.PDNS_DATABASE_URL),
        resolverAddr: `${REAL_NODE_IP}:${ports.resolver}`,
      },
      backup: {
        bucket: S3_BUCKET,
        s3Url: throughNode(env.S3_ENDPOINT),
        accessKeyId: S3_ACCESS_KEY,
        secretAccessKey: env.S3_SECRET_KEY,
        // The node agent reads pod volumes under this stack's kubelet root, not /var/lib/kubelet.
        kubeletRootDir: path.resolve(nodePaths(stateDir).kubeletRoot),
        // A 2-core node: the local profile requests little (REAL-NODE.md); the limits stay.
        resources: {
          server: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '512Mi' } },
          nodeAgent: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '1Gi' } },
        },
      },
      // No chart repository here: Prometheus alone stands in for kube-prometheus-stack.
      monitoring: {
        mode: 'prometheus',
        resources: { requests: { cpu: '20m', memory: '96Mi' }, limits: { memory: '512Mi' } },
      },
      panelReplicas: 1,
      secrets: {
        pdnsApiKey: secrets.pdnsApiKey,
        pdnsDbPassword: secrets.pdnsDbPassword,
        mailDbRootPassword: secrets.mariadbRootPassword,
        mailDbPassword: secrets.mailDbPassword,
        mailDbReadonlyPassword: secrets.mailDbReadonlyPassword,
        postgresPassword: secrets.postgresPassword,
        panelSecretKey: derived(seed, 'panel-secret-key'),
        grafanaAdminPassword: derived(seed, 'grafana-admin'),
      },
    },
  };
}

/**
 * The steps `--local` installs, in the seed's order. Storage stays the node's: the stack's local
 * provisioner (StorageClass LOCAL_STORAGE_CLASS) stands in for Longhorn; monitoring is Prometheus alone
 * instead of the kube-prometheus-stack chart (docs/install.md, "Local equivalents").
 */
export const LOCAL_STEPS = ['dns', 'mail', 'ingress', 'backup', 'monitoring', 'panel'] as const;

/** The in-cluster edge's mail and DNS entry points (hostPorts on the node, reached on 127.0.0.1 too). */
export function localEntryPoints(): Record<string, string> {
  const at = (port: number) => `${STACK_HOST}:${port}`;
  return {
    EDGE_SMTP_ADDR: at(stackPorts.edgeSmtp),
    EDGE_SUBMISSION_ADDR: at(stackPorts.edgeSubmission),
    EDGE_IMAP_ADDR: at(stackPorts.edgeImap),
    EDGE_IMAPS_ADDR: at(stackPorts.edgeImaps),
    EDGE_DNS_ADDR: at(stackPorts.edgeDns),
  };
}

/**
 * The mail host's certificate (Postfix's and Dovecot's TLS, the Secret `mail-tls` an operator makes or
 * an ACME client fills in production): locally one signed by the stack CA, made once.
 */
export async function localMailTlsSecret(stateDir: string): Promise<{
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: string;
  data: Record<string, string>;
}> {
  const pki = await ensureKubePki(stateDir);
  const { cert, key } = pki.cert(MAIL_HOST_CERT);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'mail-tls',
      namespace: 'mail-system',
      labels: { 'app.kubernetes.io/managed-by': 'hostplane' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': readFileSync(cert).toString('base64'),
      'tls.key': readFileSync(key).toString('base64'),
    },
  };
}

/** The CA file that signed the mail host's certificate of `bootstrap --local` (the stack CA). */
export function localMailCaFile(stateDir: string): string {
  return kubePki(stateDir).caCert;
}

/** The admin kubeconfig of the stack (bootstrap --local applies with it). */
export function localKubeconfig(stateDir: string): string {
  return kubeconfigPath(stateDir, 'admin');
}

const inClusterSchema = z.object({ panelUrl: z.url(), edge: z.literal('in-cluster') });
export type InClusterState = z.infer<typeof inClusterSchema>;

function inClusterFile(stateDir: string): string {
  return path.join(stateDir, 'bootstrap-local.json');
}

/** What `bootstrap --local --apply` installed (the stack's edge then runs in the cluster). */
export function inClusterState(stateDir: string): InClusterState | undefined {
  try {
    return inClusterSchema.parse(JSON.parse(readFileSync(inClusterFile(stateDir), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Records the in-cluster platform: the host edge stops being started, `stack env` prints PANEL_URL and
 * the edge's mail and DNS entry points (EDGE_*_ADDR), also added to the running stack's env.json, so
 * `stack env` shows them without a restart.
 */
export function recordInCluster(stateDir: string, state: InClusterState): void {
  writeFileSync(inClusterFile(stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  const paths = statePaths(stateDir);
  if (!existsSync(paths.envFile)) return;
  const env = JSON.parse(readFileSync(paths.envFile, 'utf8')) as Record<string, string>;
  const next = { ...env, PANEL_URL: state.panelUrl, ...localEntryPoints() };
  if (Object.entries(next).every(([k, v]) => env[k] === v)) return;
  writeFileSync(paths.envFile, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Forgets the in-cluster platform (`bootstrap --local --uninstall`): bootstrap-local.json goes, and
 * PANEL_URL leaves the running stack's env.json; the next `stack up` starts the host edge again.
 */
export function forgetInCluster(stateDir: string): void {
  rmSync(inClusterFile(stateDir), { force: true });
  const paths = statePaths(stateDir);
  if (!existsSync(paths.envFile)) return;
  const env = JSON.parse(readFileSync(paths.envFile, 'utf8')) as Record<string, string>;
  const gone = ['PANEL_URL', ...Object.keys(localEntryPoints())];
  if (gone.every((k) => env[k] === undefined)) return;
  const rest = Object.fromEntries(Object.entries(env).filter(([k]) => !gone.includes(k)));
  writeFileSync(paths.envFile, `${JSON.stringify(rest, null, 2)}\n`, { mode: 0o600 });
}

/** The panel through the edge: the panel host on HTTPS_ADDR's port (clients use --resolve). */
export function localPanelUrl(panelHost: string): string {
  return `https://${panelHost}:${stackPorts.edgeHttps}`;
}

/**
 * The SFTP gateway's host keys (the Secret `bootstrap.sftp.hostKeySecret` an operator makes once, see
 * docs/sftp.md): locally the stack's own SFTP keys (made by its `sftp` component), so the in-cluster
 * gateway and the host one answer with the same identity. Returned as the namespace (it must exist
 * before the Secret) and the Secret, for `bootstrap --local --apply` to apply ahead of the steps.
 */
export function localSftpHostKeyObjects(
  stateDir: string,
  namespace: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; labels?: Record<string, string> };
  },
  secretName: string,
) {
  const data = Object.fromEntries(
    sftpHostKeyFiles(stateDir).map((file) => {
      if (!existsSync(file)) throw new Error(`no SFTP host key at ${file}: bring the stack up first`);
      return [path.basename(file), readFileSync(file).toString('base64')];
    }),
  );
  return [
    namespace,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: namespace.metadata.name },
      type: 'Opaque',
      data,
    },
  ];
}
