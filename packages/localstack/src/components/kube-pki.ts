import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePlatformConfig } from '@hostplane/platform';

const run = promisify(execFile);
const VALID_DAYS = '3650';

/** First address of the service range: the apiserver's in-cluster `kubernetes` Service IP. */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/** The real node of the `real` node profile: its name, its IP (the gateway of the pod bridge, not
 * loopback, which the kubelet refuses) and the pod range the CNI bridge hands out. */
export const REAL_NODE_NAME = 'hostplane-real-node';
export const REAL_NODE_IP = '10.88.0.1';
export const REAL_NODE_POD_CIDR = '10.88.0.0/16';

export type CaName = 'ca' | 'front-proxy-ca';
const caNames: CaName[] = ['ca', 'front-proxy-ca'];

export interface LeafSpec {
  /** File stem under pki/: `<name>.key`, `<name>.crt`. */
  name: string;
  commonName: string;
  organization?: string;
  usage: 'server' | 'client' | 'both';
  /** Signing CA: the cluster CA (default) or the front-proxy CA of the aggregation layer. */
  issuer?: CaName;
  ips?: string[];
  dnsNames?: string[];
}

/** The mail host of the stack's platform config (`mail.hostplane.test`): the in-cluster Postfix and
 * Dovecot of `bootstrap --local` present this certificate (Secret mail-system/mail-tls). */
const localMailHost = (() => {
  const config = parsePlatformConfig({});
  return config.dns.mail?.host ?? `mail.${config.platformDomains.zone}`;
})();
export const MAIL_HOST_CERT = 'mail-host';

/** Every certificate of the local control plane, signed by one per-stack CA. */
export const kubeLeafCerts: LeafSpec[] = [
  {
    name: 'apiserver',
    commonName: 'kube-apiserver',
    usage: 'server',
    ips: ['127.0.0.1', KUBERNETES_SERVICE_IP],
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
  },
  { name: 'etcd-server', commonName: 'etcd', usage: 'server', ips: ['127.0.0.1'], dnsNames: ['localhost'] },
  { name: 'apiserver-etcd-client', commonName: 'kube-apiserver-etcd-client', usage: 'client' },
  // system:masters: the admin kubeconfig of the developer, the tests and the stack's own bootstrap.
  { name: 'admin', commonName: 'hostplane-admin', organization: 'system:masters', usage: 'client' },
  { name: 'kube-controller-manager', commonName: 'system:kube-controller-manager', usage: 'client' },
  { name: 'kube-scheduler', commonName: 'system:kube-scheduler', usage: 'client' },
  // kwok plays every kubelet of its fake nodes (node and pod status, leases), so it is admin too.
  { name: 'kwok', commonName: 'kwok-controller', organization: 'system:masters', usage: 'client' },
  // The real node: the kubelet's identity (Node authorizer + NodeRestriction), its serving certificate
  // (the apiserver verifies it when it proxies logs, exec and port-forward), the apiserver's client
  // certificate towards it (webhook authn/authz on the kubelet) and kube-proxy's identity.
  {
    name: 'kubelet',
    commonName: `system:node:${REAL_NODE_NAME}`,
    organization: 'system:nodes',
    usage: 'client',
  },
  {
    name: 'kubelet-serving',
    commonName: `system:node:${REAL_NODE_NAME}`,
    usage: 'server',
    ips: [REAL_NODE_IP, '127.0.0.1'],
    dnsNames: [REAL_NODE_NAME, 'localhost'],
  },
  {
    name: 'apiserver-kubelet-client',
    commonName: 'kube-apiserver-kubelet-client',
    organization: 'system:masters',
    usage: 'client',
  },
  { name: 'kube-proxy', commonName: 'system:kube-proxy', usage: 'client' },
  // Cluster DNS (CoreDNS's `kubernetes` plugin): reads Services, EndpointSlices, Pods and Namespaces.
  { name: 'coredns', commonName: 'hostplane-coredns', usage: 'client' },
  // The node's NetworkPolicy controller: reads pods, namespaces and policies (ClusterRole in netpol.ts).
  { name: 'netpol', commonName: 'hostplane:netpol', usage: 'client' },
  // The local volume provisioner, a host process of the stack like kwok.
  {
    name: 'local-volumes',
    commonName: 'hostplane-local-volumes',
    organization: 'system:masters',
    usage: 'client',
  },
  // The apiserver's identity towards aggregated APIs (metrics-server, …), trusted through its own CA as in kubeadm.
  { name: 'front-proxy-client', commonName: 'front-proxy-client', usage: 'client', issuer: 'front-proxy-ca' },
  // The local ACME CA's HTTPS listener (its ACME clients trust this stack CA).
  {
    name: 'pebble',
    commonName: 'pebble',
    usage: 'server',
    ips: ['127.0.0.1'],
    dnsNames: ['localhost', 'pebble'],
  },
  { name: MAIL_HOST_CERT, commonName: localMailHost, usage: 'server', dnsNames: [localMailHost] },
  // The edge outside the cluster authenticates as ingress-system's traefik ServiceAccount (the user name
  // RBAC matches), so it runs with exactly the ClusterRole the platform renders for the in-cluster one.
  {
    name: 'traefik',
    commonName: 'system:serviceaccount:ingress-system:traefik',
    organization: 'system:serviceaccounts',
    usage: 'client',
  },
];

export interface KubePki {
  dir: string;
  caCert: string;
  caKey: string;
  frontProxyCaCert: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  cert(name: string): { cert: string; key: string };
}

export function kubeDir(stateDir: string): string {
  return path.join(stateDir, 'kube');
}

export function kubePki(stateDir: string): KubePki {
  const dir = path.join(kubeDir(stateDir), 'pki');
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    frontProxyCaCert: path.join(dir, 'front-proxy-ca.crt'),
    serviceAccountKey: path.join(dir, 'sa.key'),
    serviceAccountPub: path.join(dir, 'sa.pub'),
    cert: (name) => ({ cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) }),
  };
}

/** The OpenSSL extension section of a leaf certificate (pure, tested). */
export function leafExtensions(spec: LeafSpec): string {
  const usages = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[spec.usage];
  const alt = [
    ...(spec.ips ?? []).map((ip) => `IP:${ip}`),
    ...(spec.dnsNames ?? []).map((dns) => `DNS:${dns}`),
  ];
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usages}`,
    ...(alt.length > 0 ? [`subjectAltName=${alt.join(',')}`] : []),
    '',
  ].join('\n');
}

export function leafSubject(spec: LeafSpec): string {
  return `${spec.organization ? `/O=${spec.organization}` : ''}/CN=${spec.commonName}`;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

const REQ_CONFIG =
  '[req]\ndistinguished_name=dn\n[dn]\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\n';

async function generateKey(file: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tmp]);
  await rename(tmp, file);
}

async function generateCa(pki: KubePki, ca: CaName, reqConfig: string): Promise<void> {
  const { cert, key } = pki.cert(ca);
  await generateKey(key);
  const tmp = `${cert}.tmp`;
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-config',
    reqConfig,
    '-extensions',
    'ca',
    '-key',
    key,
    '-subj',
    `/CN=hostplane-local-${ca}`,
    '-days',
    VALID_DAYS,
    '-out',
    tmp,
  ]);
  await rename(tmp, cert);
}

async function generateLeaf(pki: KubePki, spec: LeafSpec, reqConfig: string): Promise<void> {
  const { cert, key } = pki.cert(spec.name);
  const csr = `${cert}.csr`;
  const ext = `${cert}.ext`;
  await generateKey(key);
  await run('openssl', [
    'req',
    '-new',
    '-config',
    reqConfig,
    '-key',
    key,
    '-subj',
    leafSubject(spec),
    '-out',
    csr,
  ]);
  await writeFile(ext, leafExtensions(spec));
  const serial = `0x${randomBytes(16).toString('hex')}`;
  const issuer = pki.cert(spec.issuer ?? 'ca');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    issuer.cert,
    '-CAkey',
    issuer.key,
    '-set_serial',
    serial,
    '-days',
    VALID_DAYS,
    '-extfile',
    ext,
    '-out',
    `${cert}.tmp`,
  ]);
  await rename(`${cert}.tmp`, cert);
  await rm(csr, { force: true });
  await rm(ext, { force: true });
}

async function generateServiceAccountKeys(pki: KubePki): Promise<void> {
  await generateKey(pki.serviceAccountKey);
  await run('openssl', [
    'pkey',
    '-in',
    pki.serviceAccountKey,
    '-pubout',
    '-out',
    `${pki.serviceAccountPub}.tmp`,
  ]);
  await rename(`${pki.serviceAccountPub}.tmp`, pki.serviceAccountPub);
}

async function generatePki(stateDir: string): Promise<KubePki> {
  const pki = kubePki(stateDir);
  await mkdir(pki.dir, { recursive: true, mode: 0o700 });
  const reqConfig = path.join(pki.dir, 'openssl-req.cnf');
  await writeFile(reqConfig, REQ_CONFIG);
  // A new CA invalidates every leaf signed by the old one.
  const freshCas = new Set<CaName>();
  for (const ca of caNames) {
    const { cert, key } = pki.cert(ca);
    if (!(await exists(key)) || !(await exists(cert))) {
      await generateCa(pki, ca, reqConfig);
      freshCas.add(ca);
    }
  }
  for (const spec of kubeLeafCerts) {
    const { cert, key } = pki.cert(spec.name);
    const stale = freshCas.has(spec.issuer ?? 'ca') || !(await exists(cert)) || !(await exists(key));
    if (stale) await generateLeaf(pki, spec, reqConfig);
  }
  if (!(await exists(pki.serviceAccountKey)) || !(await exists(pki.serviceAccountPub))) {
    await generateServiceAccountKeys(pki);
  }
  return pki;
}

const inFlight = new Map<string, Promise<KubePki>>();

/** Creates the CA, serving and client certificates and the service-account key pair once; keeps existing files.
 * Several kube components call it from prepare(): concurrent calls share one run. */
export function ensureKubePki(stateDir: string): Promise<KubePki> {
  let pending = inFlight.get(stateDir);
  if (!pending) {
    pending = generatePki(stateDir).finally(() => inFlight.delete(stateDir));
    inFlight.set(stateDir, pending);
  }
  return pending;
}
