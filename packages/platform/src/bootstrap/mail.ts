import { createHash, createHmac } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { renderDovecot, SPAM_LEARNING_FILES } from '../dovecot/index.ts';
import { CLUSTER_MAIL_ROOT, type MailDb, type RenderedFile } from '../mail-settings.ts';
import { renderPostfix } from '../postfix/index.ts';
import { renderRspamd, SENDER_IDENTITY_LUA } from '../rspamd/index.ts';
import {
  configMap,
  env,
  namespace,
  restrictedContainer,
  restrictedPod,
  rootDroppingContainer,
  scratch,
  secret,
  service,
  workload,
} from './common.ts';
import { mailDatabase } from './mail-db.ts';
import { mailSchemaObjects, waitForMailSchema } from './mail-schema.ts';
import { maildirBackupCronJob } from './maildir-backup.ts';
import { panelMailRole } from './maildir-removal.ts';
import { webmail } from './webmail.ts';

export const MAIL_NAMESPACE = 'mail-system';
export const MAIL_PORTS = {
  smtp: 25,
  submission: 587,
  smtps: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
};
/** Tenant sites submit here (Service `submission` in mail-system, port 587): no PROXY header, SASL
 * required, reachable from tenant namespaces only. */
export const INTERNAL_SUBMISSION = { servicePort: 587, containerPort: 10587, serviceName: 'submission' };
const INTERNAL = {
  /** IMAP without the PROXY header: the webmail's (issue 17). */
  imap: 10143,
  lmtp: 24,
  auth: 12345,
  reinjection: 10025,
  managesieve: 4190,
  milter: 11332,
  normal: 11333,
  controller: 11334,
  redis: 6379,
  /** doveadm's HTTP API: the panel's live reads (quota usage) and mailbox backups. */
  doveadm: 8080,
};
const RSPAMD_UID = 11333; // _rspamd in the upstream image
const REDIS_UID = 999;
const TLS = { certPath: '/etc/mail-tls/tls.crt', keyPath: '/etc/mail-tls/tls.key' };
/** A Service's full name: Postfix's LMTP client looks names up in DNS without the resolver's search
 * list, so `dovecot.mail-system.svc` alone is not found (measured on the real node). */
const svc = (config: BootstrapConfig, name: string) =>
  `${name}.${MAIL_NAMESPACE}.svc.${config.clusterDomain}`;
const RSPAMD_MAPS_DIR = '/var/lib/rspamd/maps';
/** Issue 17: Dovecot's spam-learning program and its IMAPSieve scripts (a 0555 ConfigMap volume). */
const DOVECOT_LEARN_DIR = '/etc/dovecot/learn';
/** The Rspamd controller's password for Dovecot's learning program, in the `dovecot-sql` Secret. */
const RSPAMD_PASSWORD_FILE = 'rspamd-controller.pass';

/** The Rspamd controller's password: derived from the panel's secret key (rendering stays deterministic,
 * the config file needs no new secret), so learning over the network is authenticated. */
export function rspamdControllerPassword(config: BootstrapConfig): string {
  return createHmac('sha256', config.bootstrap.secrets.panelSecretKey)
    .update('hostplane rspamd controller')
    .digest('base64url');
}

/** doveadm's HTTP API key: derived from the panel's secret key like the Rspamd controller's password. */
export function doveadmApiKey(config: BootstrapConfig): string {
  return createHmac('sha256', config.bootstrap.secrets.panelSecretKey)
    .update('hostplane doveadm api')
    .digest('base64url');
}

/** The in-cluster Dovecot's doveadm HTTP API as the panel reaches it (DOVEADM_API_URL/KEY). */
export function clusterDoveadm(config: BootstrapConfig): { url: string; apiKey: string } {
  return { url: `http://${svc(config, 'dovecot')}:${INTERNAL.doveadm}`, apiKey: doveadmApiKey(config) };
}

function readonlyDb(config: BootstrapConfig): MailDb {
  const password = config.bootstrap.secrets.mailDbReadonlyPassword;
  return { host: svc(config, 'mail-db'), port: 3306, database: 'mail', user: 'mail_ro', password };
}

const hash = (files: RenderedFile[]) =>
  createHash('sha256')
    .update(files.map((f) => `${f.name}\n${f.content}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
const base = (name: string) => name.split('/').pop() ?? name;
/** Rendered files as ConfigMap/Secret data (keys are basenames; sensitive files go to the Secret). */
function split(files: RenderedFile[]) {
  const pick = (sensitive: boolean) =>
    Object.fromEntries(files.filter((f) => f.sensitive === sensitive).map((f) => [base(f.name), f.content]));
  return { plain: pick(false), sensitive: pick(true) };
}

export function clusterPostfixFiles(config: BootstrapConfig): RenderedFile[] {
  return renderPostfix({
    target: 'cluster',
    hostname: config.bootstrap.hosts.mail,
    listen: 'all',
    ports: {
      smtp: MAIL_PORTS.smtp,
      submission: MAIL_PORTS.submission,
      smtps: MAIL_PORTS.smtps,
      internalSubmission: INTERNAL_SUBMISSION.containerPort,
      reinjection: INTERNAL.reinjection,
    },
    // Dovecot's vacation replies and forwards; the NetworkPolicy admits mail-system only.
    reinjectionNetworks: config.network.clusterCidrs,
    paths: {
      configDir: '/etc/postfix',
      queueDirectory: '/var/spool/postfix',
      dataDirectory: '/var/lib/postfix',
    },
    mailDb: readonlyDb(config),
    lmtp: { host: svc(config, 'dovecot'), port: INTERNAL.lmtp },
    dovecotAuth: { host: svc(config, 'dovecot'), port: INTERNAL.auth },
    rspamdMilter: { host: svc(config, 'rspamd'), port: INTERNAL.milter },
    tls: TLS,
  });
}

export function clusterDovecotFiles(config: BootstrapConfig): RenderedFile[] {
  return renderDovecot({
    target: 'cluster',
    listen: '*',
    ports: {
      imap: 143,
      pop3: 110,
      lmtp: INTERNAL.lmtp,
      auth: INTERNAL.auth,
      imaps: 993,
      pop3s: 995,
      managesieve: INTERNAL.managesieve,
      internalImap: INTERNAL.imap,
    },
    paths: {
      baseDir: '/run/dovecot',
      stateDir: '/var/lib/dovecot',
      mailRoot: CLUSTER_MAIL_ROOT,
      sqlConfig: '/etc/dovecot/sql/dovecot-sql.conf.ext',
    },
    mailUser: { uid: 5000, gid: 5000 },
    mailDb: readonlyDb(config),
    postmasterAddress: `postmaster@${config.bootstrap.hosts.mail}`,
    doveadm: { port: INTERNAL.doveadm, apiKey: doveadmApiKey(config) },
    sieve: {
      submission: { host: svc(config, 'postfix'), port: INTERNAL.reinjection },
      dictConfig: '/etc/dovecot/sql/dovecot-dict-sieve.conf.ext',
    },
    spamLearning: {
      controller: { host: svc(config, 'rspamd'), port: INTERNAL.controller },
      passwordFile: `/etc/dovecot/sql/${RSPAMD_PASSWORD_FILE}`,
      dir: DOVECOT_LEARN_DIR,
    },
    tls: TLS,
    // Traefik's TCP routes send a PROXY header; only the cluster network may.
    proxyTrustedNetworks: config.network.clusterCidrs,
  }).concat({ name: RSPAMD_PASSWORD_FILE, content: rspamdControllerPassword(config), sensitive: true });
}

export function clusterRspamdFiles(config: BootstrapConfig): RenderedFile[] {
  return renderRspamd({
    target: 'cluster',
    listen: '*',
    ports: { milter: INTERNAL.milter, normal: INTERNAL.normal, controller: INTERNAL.controller },
    redis: { host: svc(config, 'redis'), port: INTERNAL.redis },
    dkim: { keysDir: '/var/lib/rspamd/dkim', selectorMap: '/var/lib/rspamd/dkim/selectors.map' },
    // The ConfigMap `rspamd-maps` the Mail target writes (mounted whole, so the kubelet refreshes it).
    userRateLimit: { perHour: 200, burst: 20, limitsMap: `${RSPAMD_MAPS_DIR}/send_limits.map` },
    identityMap: `${RSPAMD_MAPS_DIR}/identities.map`,
    // Dovecot's spam learning reaches the controller over the network (issue 17).
    controllerPassword: rspamdControllerPassword(config),
    disabledModules: config.bootstrap.mail.greylisting ? [] : ['greylist'],
  });
}

function postfix(config: BootstrapConfig): KubeObject[] {
  const files = clusterPostfixFiles(config);
  const { plain, sensitive } = split(files);
  return [
    configMap('postfix-config', MAIL_NAMESPACE, 'postfix', plain),
    secret('postfix-maps', MAIL_NAMESPACE, 'postfix', sensitive),
    service('postfix', MAIL_NAMESPACE, 'postfix', [
      { name: 'smtp', port: 25, targetPort: 25 },
      { name: 'submission', port: 587, targetPort: 587 },
      { name: 'smtps', port: 465, targetPort: 465 },
      { name: 'reinjection', port: INTERNAL.reinjection, targetPort: INTERNAL.reinjection },
    ]),
    service(INTERNAL_SUBMISSION.serviceName, MAIL_NAMESPACE, 'postfix', [
      {
        name: 'submission',
        port: INTERNAL_SUBMISSION.servicePort,
        targetPort: INTERNAL_SUBMISSION.containerPort,
      },
    ]),
    postfixNetworkPolicy(),
    workload({
      kind: 'StatefulSet',
      name: 'postfix',
      ns: MAIL_NAMESPACE,
      replicas: 1,
      // The mail tables first (mail-schema.ts): their SQL maps query them from the start.
      initContainers: [waitForMailSchema(config)],
      // Postfix's master must start as root (it binds 25 and drops to the postfix user itself).
      podSecurity: { seccompProfile: { type: 'RuntimeDefault' } },
      configHash: hash(files),
      containers: [
        {
          name: 'postfix',
          image: config.bootstrap.systemImages.postfix,
          command: ['postfix', 'start-fg'],
          ports: [25, 587, 465, INTERNAL_SUBMISSION.containerPort, INTERNAL.reinjection].map((p) => ({
            containerPort: p,
          })),
          securityContext: rootDroppingContainer([
            'CHOWN',
            'DAC_OVERRIDE',
            'FOWNER',
            'NET_BIND_SERVICE',
            'SETGID',
            'SETUID',
          ]),
          readinessProbe: { tcpSocket: { port: 25 }, periodSeconds: 10 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/postfix/main.cf', subPath: 'main.cf' },
            { name: 'config', mountPath: '/etc/postfix/master.cf', subPath: 'master.cf' },
            ...Object.keys(sensitive).map((file) => ({
              name: 'maps',
              mountPath: `/etc/postfix/${file}`,
              subPath: file,
            })),
            { name: 'tls', mountPath: '/etc/mail-tls', readOnly: true },
            { name: 'queue', mountPath: '/var/spool/postfix' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'postfix-config' } },
        { name: 'maps', secret: { secretName: 'postfix-maps', defaultMode: 0o440 } },
        { name: 'tls', secret: { secretName: 'mail-tls', optional: true } },
      ],
      claims: [
        {
          name: 'queue',
          size: config.bootstrap.volumes.postfixQueue,
          storageClass: config.storage.storageClass,
        },
      ],
    }),
  ];
}

const byNamespaceName = (name: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
});
const tcpPort = (port: number) => ({ protocol: 'TCP', port });

/** The ingress NetworkPolicy `{app}-ingress` of one mail-system workload. */
function mailIngressPolicy(app: string, ingress: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: `${app}-ingress`,
      namespace: MAIL_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/name': app },
    },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
      policyTypes: ['Ingress'],
      ingress,
    },
  };
}

/**
 * Who reaches Postfix: the public ports (whose listeners trust Traefik's PROXY header) only from
 * ingress-system, so a pod cannot forge a client address; the internal submission port only from tenant
 * namespaces (label tenant=true); mail-system itself (probes, the mail tools) everything.
 */
function postfixNetworkPolicy(): KubeObject {
  return mailIngressPolicy('postfix', [
    { from: [byNamespaceName('ingress-system')], ports: [25, 587, 465].map(tcpPort) },
    {
      from: [{ namespaceSelector: { matchLabels: { tenant: 'true' } } }],
      ports: [tcpPort(INTERNAL_SUBMISSION.containerPort)],
    },
    { from: [byNamespaceName(MAIL_NAMESPACE)] },
  ]);
}

/**
 * Who reaches Dovecot: its public IMAP/POP3 listeners trust a PROXY header from the cluster's ranges,
 * so only ingress-system (Traefik's mail routes) may reach them, or any pod could claim any client
 * address; mail-system itself (Postfix's LMTP and auth, the webmail's internal IMAP) everything.
 */
function dovecotNetworkPolicy(config: BootstrapConfig): KubeObject {
  return mailIngressPolicy('dovecot', [
    {
      from: [byNamespaceName('ingress-system')],
      ports: (['imap', 'imaps', 'pop3', 'pop3s'] as const).map((p) => tcpPort(MAIL_PORTS[p])),
    },
    { from: [byNamespaceName(MAIL_NAMESPACE)] },
    // The panel's live reads (quota usage) and mailbox backups through doveadm's HTTP API (its key).
    { from: [byNamespaceName(config.panelIdentity.namespace)], ports: [tcpPort(INTERNAL.doveadm)] },
  ]);
}

function dovecot(config: BootstrapConfig): KubeObject[] {
  const files = clusterDovecotFiles(config);
  const { plain, sensitive } = split(files);
  return [
    configMap('dovecot-config', MAIL_NAMESPACE, 'dovecot', plain),
    secret('dovecot-sql', MAIL_NAMESPACE, 'dovecot', sensitive),
    service('dovecot', MAIL_NAMESPACE, 'dovecot', [
      ...(['imap', 'imaps', 'pop3', 'pop3s'] as const).map((name) => ({
        name,
        port: MAIL_PORTS[name],
        targetPort: MAIL_PORTS[name],
      })),
      { name: 'lmtp', port: INTERNAL.lmtp, targetPort: INTERNAL.lmtp },
      { name: 'auth', port: INTERNAL.auth, targetPort: INTERNAL.auth },
      { name: 'managesieve', port: INTERNAL.managesieve, targetPort: INTERNAL.managesieve },
      { name: 'imap-internal', port: INTERNAL.imap, targetPort: INTERNAL.imap },
      { name: 'doveadm', port: INTERNAL.doveadm, targetPort: INTERNAL.doveadm },
    ]),
    dovecotNetworkPolicy(config),
    workload({
      kind: 'StatefulSet',
      name: 'dovecot',
      ns: MAIL_NAMESPACE,
      replicas: 1,
      // The mail tables first (mail-schema.ts): their SQL maps query them from the start.
      initContainers: [waitForMailSchema(config)],
      // Dovecot's master starts as root and runs each mail process as vmail (uid 5000).
      podSecurity: { seccompProfile: { type: 'RuntimeDefault' }, fsGroup: 5000 },
      configHash: hash(files),
      containers: [
        {
          name: 'dovecot',
          image: config.bootstrap.systemImages.dovecot,
          command: ['dovecot', '-F', '-c', '/etc/dovecot/dovecot.conf'],
          ports: [
            ...[143, 993, 110, 995, INTERNAL.lmtp, INTERNAL.auth, INTERNAL.managesieve, INTERNAL.imap],
            INTERNAL.doveadm,
          ].map((p) => ({
            containerPort: p,
          })),
          securityContext: rootDroppingContainer([
            'CHOWN',
            'DAC_OVERRIDE',
            'FOWNER',
            'NET_BIND_SERVICE',
            'SETGID',
            'SETUID',
            'KILL',
            'SYS_CHROOT',
          ]),
          readinessProbe: { tcpSocket: { port: 143 }, periodSeconds: 10 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/dovecot/dovecot.conf', subPath: 'dovecot.conf' },
            { name: 'sql', mountPath: '/etc/dovecot/sql', readOnly: true },
            { name: 'learn', mountPath: DOVECOT_LEARN_DIR, readOnly: true },
            { name: 'tls', mountPath: '/etc/mail-tls', readOnly: true },
            { name: 'maildirs', mountPath: CLUSTER_MAIL_ROOT },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'dovecot-config' } },
        { name: 'sql', secret: { secretName: 'dovecot-sql', defaultMode: 0o440 } },
        // sieve_pipe_bin_dir: the learning program must be executable; nothing else is in the folder.
        {
          name: 'learn',
          configMap: {
            name: 'dovecot-config',
            defaultMode: 0o555,
            items: SPAM_LEARNING_FILES.map((file) => ({ key: file, path: file })),
          },
        },
        { name: 'tls', secret: { secretName: 'mail-tls', optional: true } },
      ],
      claims: [
        {
          name: 'maildirs',
          size: config.bootstrap.volumes.maildirs,
          storageClass: config.storage.storageClass,
        },
      ],
    }),
  ];
}

function rspamd(config: BootstrapConfig): KubeObject[] {
  const files = clusterRspamdFiles(config);
  const { plain, sensitive } = split(files);
  const images = config.bootstrap.systemImages;
  return [
    configMap('rspamd-local-d', MAIL_NAMESPACE, 'rspamd', plain),
    // The controller's password (worker-controller.inc) is a Secret, projected into the same folder.
    secret('rspamd-local-d', MAIL_NAMESPACE, 'rspamd', sensitive),
    service('rspamd', MAIL_NAMESPACE, 'rspamd', [
      { name: 'milter', port: INTERNAL.milter, targetPort: INTERNAL.milter },
      { name: 'controller', port: INTERNAL.controller, targetPort: INTERNAL.controller },
    ]),
    workload({
      kind: 'Deployment',
      name: 'rspamd',
      ns: MAIL_NAMESPACE,
      replicas: 1,
      podSecurity: restrictedPod(RSPAMD_UID),
      configHash: hash(files),
      serviceAccountName: 'rspamd-dkim',
      containers: [
        {
          name: 'rspamd',
          image: images.rspamd,
          command: ['rspamd', '-f'],
          ports: [INTERNAL.milter, INTERNAL.normal, INTERNAL.controller].map((p) => ({ containerPort: p })),
          securityContext: restrictedContainer,
          readinessProbe: { tcpSocket: { port: INTERNAL.milter }, periodSeconds: 10 },
          volumeMounts: [
            // Rspamd's dbdir (Hyperscan cache, statistics, the control socket): writable, the root is not.
            { name: 'db', mountPath: '/var/lib/rspamd' },
            { name: 'local-d', mountPath: '/etc/rspamd/local.d', readOnly: true },
            // The sender-identity prefilter is Lua, loaded from $LOCAL_CONFDIR itself.
            {
              name: 'local-d',
              mountPath: `/etc/rspamd/${SENDER_IDENTITY_LUA}`,
              subPath: SENDER_IDENTITY_LUA,
              readOnly: true,
            },
            { name: 'dkim', mountPath: '/var/lib/rspamd/dkim', readOnly: true },
            { name: 'maps', mountPath: RSPAMD_MAPS_DIR, readOnly: true },
            { name: 'run', mountPath: '/run/rspamd' },
          ],
        },
        {
          // DKIM keys are one Secret per domain (labelled hostplane.io/dkim-domain, written by the
          // mail target): this sidecar turns them into `<domain>.<selector>.key` files and the
          // selector map in the shared folder Rspamd reads (Rspamd reloads both without a restart).
          name: 'dkim-sync',
          image: images.dkimSync,
          env: [
            env('LABEL', 'hostplane.io/dkim-domain'),
            env('NAMESPACE', MAIL_NAMESPACE),
            env('FOLDER', '/var/lib/rspamd/dkim'),
            env('SELECTOR_MAP', '/var/lib/rspamd/dkim/selectors.map'),
          ],
          securityContext: restrictedContainer,
          volumeMounts: [{ name: 'dkim', mountPath: '/var/lib/rspamd/dkim' }],
        },
      ],
      volumes: [
        {
          name: 'local-d',
          projected: {
            sources: [{ configMap: { name: 'rspamd-local-d' } }, { secret: { name: 'rspamd-local-d' } }],
          },
        },
        // Written by the panel's Mail target; until its first pass Rspamd finds no identities and
        // refuses authenticated mail (fail closed).
        { name: 'maps', configMap: { name: 'rspamd-maps', optional: true } },
        ...scratch('dkim', 'db', 'run'),
      ],
    }),
  ];
}

function redis(config: BootstrapConfig): KubeObject[] {
  return [
    service('redis', MAIL_NAMESPACE, 'redis', [
      { name: 'redis', port: INTERNAL.redis, targetPort: INTERNAL.redis },
    ]),
    workload({
      kind: 'Deployment',
      name: 'redis',
      ns: MAIL_NAMESPACE,
      replicas: 1,
      podSecurity: restrictedPod(REDIS_UID),
      containers: [
        {
          name: 'redis',
          image: config.bootstrap.systemImages.redis,
          args: ['--save', '', '--appendonly', 'no'],
          ports: [{ containerPort: INTERNAL.redis }],
          securityContext: restrictedContainer,
          readinessProbe: { tcpSocket: { port: INTERNAL.redis }, periodSeconds: 10 },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: scratch('data'),
    }),
  ];
}

/** The sidecar lists and reads DKIM Secrets in mail-system, nothing else. */
function dkimReader(): KubeObject[] {
  const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/part-of': 'hostplane' };
  const ns = MAIL_NAMESPACE;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rspamd-dkim', namespace: ns, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'rspamd-dkim', namespace: ns, labels },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rspamd-dkim', namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rspamd-dkim' },
      subjects: [{ kind: 'ServiceAccount', name: 'rspamd-dkim', namespace: ns }],
    },
  ];
}

/** 3. Shared mail: MySQL tables, Postfix, Dovecot, Rspamd (+ Redis), from the same renderers as the stack. */
export function mailSystem(config: BootstrapConfig): KubeObject[] {
  return [
    namespace(
      MAIL_NAMESPACE,
      'baseline',
      "Postfix's and Dovecot's master processes start as root and drop privileges themselves; Rspamd, Redis and MariaDB meet restricted",
    ),
    ...mailDatabase(config),
    ...mailSchemaObjects(config),
    ...redis(config),
    ...dkimReader(),
    ...panelMailRole(),
    ...rspamd(config),
    ...dovecot(config),
    ...postfix(config),
    ...webmail(config, { imapPort: INTERNAL.imap, submission: INTERNAL_SUBMISSION }),
    // Platform backups cover the Maildir volume too (maildir-backup.ts): beside Dovecot, with its claim.
    ...(config.bootstrap.steps.includes('backup') ? maildirBackupCronJob(config) : []),
  ];
}
