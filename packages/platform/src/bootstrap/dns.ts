import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { ACME_TSIG_KEY_NAME, renderAcmeUpdatePolicy, renderPdnsConf } from '../pdns/render.ts';
import {
  configMap,
  env,
  envFromSecret,
  namespace,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  service,
  workload,
} from './common.ts';

export const DNS_NAMESPACE = 'dns-system';
const PDNS_UID = 953; // the pdns user of the upstream image
const MARIADB_UID = 999; // the mysql user of the upstream image
/** Unprivileged port inside the pod; the Service answers on 53 (restricted forbids binding < 1024). */
const DNS_CONTAINER_PORT = 1053;
const API_PORT = 8081;
// The rendered file carries placeholders for its two secrets; the real values come from the Secret's
// settings file in include-dir, which PowerDNS reads after the main file (so the ConfigMap holds no
// secret, and no secret is in argv or the environment).
const PLACEHOLDER = 'set-from-the-secret-include-dir';

/** PowerDNS's database: the in-cluster `pdns-db`, or `bootstrap.external.pdnsDatabaseUrl`. */
export function pdnsDatabase(config: BootstrapConfig): {
  host: string;
  port: number;
  dbname: string;
  user: string;
  password: string;
  external: boolean;
} {
  const url = config.bootstrap.external.pdnsDatabaseUrl;
  if (!url)
    return {
      host: `pdns-db.${DNS_NAMESPACE}.svc`,
      port: 3306,
      dbname: 'pdns',
      user: 'pdns',
      password: config.bootstrap.secrets.pdnsDbPassword,
      external: false,
    };
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    dbname: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'pdns',
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    external: true,
  };
}

/** The pdns.conf the dns-system ConfigMap ships: the same renderer as the local stack. */
export function clusterPdnsConf(config: BootstrapConfig): string {
  return renderPdnsConf({
    dnsAddresses: ['0.0.0.0', '::'],
    dnsPort: DNS_CONTAINER_PORT,
    api: { key: PLACEHOLDER, address: '0.0.0.0', port: API_PORT, allowFrom: config.network.clusterCidrs },
    mysql: { ...dbAddress(config), password: PLACEHOLDER },
    socketDir: '/var/run/pdns',
    // Two replicas over one database: a zone the panel creates through one of them is served by the
    // other within ~10 s (measured: with PowerDNS's default of 300 s the second replica REFUSED it).
    zoneCacheRefreshSeconds: 10,
    // ACME DNS-01 for wildcard hosts: updates signed with the edge's TSIG key, nothing else.
    ...(config.bootstrap.secrets.acmeTsigSecret
      ? { dnsUpdate: { policyScript: `/etc/pdns/${UPDATE_POLICY_FILE}` } }
      : {}),
  });
}

const UPDATE_POLICY_FILE = 'acme-update-policy.lua';

function dbAddress(config: BootstrapConfig) {
  const { host, port, dbname, user } = pdnsDatabase(config);
  return { host, port, dbname, user };
}

/** PowerDNS reads `*.conf` files of this folder (include-dir): the Secret's settings file. */
const SECRET_CONF_DIR = '/etc/pdns-secret';
const SECRET_CONF_KEY = 'secrets.conf';

function database(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap;
  return [
    secret('pdns-db', DNS_NAMESPACE, 'pdns-db', {
      MARIADB_ROOT_PASSWORD: b.secrets.pdnsDbPassword,
      MARIADB_PASSWORD: b.secrets.pdnsDbPassword,
    }),
    service('pdns-db', DNS_NAMESPACE, 'pdns-db', [{ name: 'mysql', port: 3306, targetPort: 3306 }]),
    workload({
      kind: 'StatefulSet',
      name: 'pdns-db',
      ns: DNS_NAMESPACE,
      replicas: 1,
      podSecurity: restrictedPod(MARIADB_UID),
      containers: [
        {
          name: 'mariadb',
          image: b.systemImages.mariadb,
          env: [
            env('MARIADB_DATABASE', 'pdns'),
            env('MARIADB_USER', 'pdns'),
            envFromSecret('MARIADB_ROOT_PASSWORD', 'pdns-db', 'MARIADB_ROOT_PASSWORD'),
            envFromSecret('MARIADB_PASSWORD', 'pdns-db', 'MARIADB_PASSWORD'),
          ],
          ports: [{ name: 'mysql', containerPort: 3306 }],
          securityContext: restrictedContainer,
          readinessProbe: { exec: { command: ['healthcheck.sh', '--connect'] }, periodSeconds: 10 },
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/mysql' },
            { name: 'run', mountPath: '/run/mysqld' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: scratch('run', 'tmp'),
      claims: [{ name: 'data', size: b.volumes.pdnsDb, storageClass: config.storage.storageClass }],
    }),
  ];
}

function server(config: BootstrapConfig, conf: string): KubeObject {
  const b = config.bootstrap;
  const db = dbAddress(config);
  const client = `-h ${db.host} -P ${db.port} -u ${db.user} ${db.dbname}`;
  return workload({
    kind: 'Deployment',
    name: 'pdns',
    ns: DNS_NAMESPACE,
    replicas: 2,
    podSecurity: restrictedPod(PDNS_UID),
    configHash: createHash('sha256').update(conf).digest('hex').slice(0, 16),
    initContainers: [
      {
        // Loads the gmysql schema shipped in the pdns image unless its tables exist already.
        name: 'schema',
        image: b.systemImages.mariadb,
        command: ['sh', '-c'],
        args: [
          // The client reads MYSQL_PWD from its environment: no password in any process's argv.
          `mariadb ${client} -e 'select 1 from domains limit 1' 2>/dev/null || mariadb ${client} < /schema/schema.mysql.sql`,
        ],
        env: [envFromSecret('MYSQL_PWD', 'pdns', 'db-password')],
        securityContext: restrictedContainer,
        volumeMounts: [{ name: 'schema', mountPath: '/schema' }],
      },
    ],
    containers: [
      {
        name: 'pdns',
        image: b.systemImages.pdns,
        command: ['pdns_server'],
        // The API key and the database password come from a file of the Secret (include-dir), never
        // from argv or the environment, where any process of the node could read them.
        args: ['--config-dir=/etc/pdns', `--include-dir=${SECRET_CONF_DIR}`],
        ports: [
          { name: 'dns-udp', containerPort: DNS_CONTAINER_PORT, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: DNS_CONTAINER_PORT, protocol: 'TCP' },
          { name: 'api', containerPort: API_PORT, protocol: 'TCP' },
        ],
        securityContext: restrictedContainer,
        readinessProbe: { tcpSocket: { port: DNS_CONTAINER_PORT }, periodSeconds: 10 },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/pdns', readOnly: true },
          { name: 'secret-conf', mountPath: SECRET_CONF_DIR, readOnly: true },
          { name: 'socket', mountPath: '/var/run/pdns' },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'pdns-config' } },
      {
        name: 'secret-conf',
        secret: { secretName: 'pdns', items: [{ key: SECRET_CONF_KEY, path: SECRET_CONF_KEY }] },
      },
      // The schema file is copied out of the pdns image by `schema-source` before `schema` runs.
      ...scratch('socket', 'schema'),
    ],
  });
}

/** 2. PowerDNS Authoritative over its own MariaDB; the API key in a Secret the panel also gets. */
export function dnsSystem(config: BootstrapConfig): KubeObject[] {
  const b = config.bootstrap;
  const conf = clusterPdnsConf(config);
  const pdns = server(config, conf);
  const db = pdnsDatabase(config);
  addSchemaSource(pdns, b.systemImages.pdns);
  if (b.secrets.acmeTsigSecret) addTsigImport(pdns, b.systemImages.pdns);
  return [
    namespace(DNS_NAMESPACE, 'restricted', 'PowerDNS and MariaDB run as non-root on unprivileged ports'),
    ...(db.external ? [] : database(config)),
    secret('pdns', DNS_NAMESPACE, 'pdns', {
      'api-key': b.secrets.pdnsApiKey,
      'db-password': db.password,
      [SECRET_CONF_KEY]: `api-key=${b.secrets.pdnsApiKey}\ngmysql-password=${db.password}\n`,
      ...(b.secrets.acmeTsigSecret ? { 'acme-tsig': b.secrets.acmeTsigSecret } : {}),
    }),
    configMap('pdns-config', DNS_NAMESPACE, 'pdns', {
      'pdns.conf': conf,
      ...(b.secrets.acmeTsigSecret
        ? { [UPDATE_POLICY_FILE]: renderAcmeUpdatePolicy(ACME_TSIG_KEY_NAME) }
        : {}),
    }),
    service('pdns', DNS_NAMESPACE, 'pdns', [
      { name: 'dns-udp', port: 53, targetPort: DNS_CONTAINER_PORT, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: DNS_CONTAINER_PORT, protocol: 'TCP' },
    ]),
    service('pdns-api', DNS_NAMESPACE, 'pdns', [{ name: 'api', port: API_PORT, targetPort: API_PORT }]),
    pdns,
  ];
}

function addSchemaSource(deployment: KubeObject, pdnsImage: string): void {
  const pod = (deployment.spec as { template: { spec: { initContainers: unknown[] } } }).template.spec;
  pod.initContainers.unshift({
    name: 'schema-source',
    image: pdnsImage,
    command: ['cp', '/usr/local/share/doc/pdns/schema.mysql.sql', '/schema/schema.mysql.sql'],
    securityContext: restrictedContainer,
    volumeMounts: [{ name: 'schema', mountPath: '/schema' }],
  });
}

/** After the schema: (re)imports the edge's TSIG key into PowerDNS's key store (import replaces it). */
function addTsigImport(deployment: KubeObject, pdnsImage: string): void {
  const pod = (deployment.spec as { template: { spec: { initContainers: unknown[] } } }).template.spec;
  pod.initContainers.push({
    name: 'acme-tsig',
    image: pdnsImage,
    command: ['pdnsutil'],
    args: [
      '--config-dir=/etc/pdns',
      `--include-dir=${SECRET_CONF_DIR}`,
      'import-tsig-key',
      ACME_TSIG_KEY_NAME,
      'hmac-sha256',
      '$(ACME_TSIG_SECRET)',
    ],
    env: [envFromSecret('ACME_TSIG_SECRET', 'pdns', 'acme-tsig')],
    securityContext: restrictedContainer,
    volumeMounts: [
      { name: 'config', mountPath: '/etc/pdns', readOnly: true },
      { name: 'secret-conf', mountPath: SECRET_CONF_DIR, readOnly: true },
      { name: 'socket', mountPath: '/var/run/pdns' },
    ],
  });
}
