import { createHmac } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { ROUNDCUBE_KEY_ENV, renderRoundcubeConfig } from '../webmail/index.ts';
import {
  configMap,
  env,
  envFromSecret,
  restrictedContainer,
  restrictedPod,
  scratch,
  secret,
  service,
  tlsIngress,
  workload,
} from './common.ts';

// Webmail (issue 17) in mail-system: one shared Roundcube for every domain, at `hosts.webmail`
// (default webmail.<panel's parent domain>) through the edge with an ACME certificate. One image,
// two containers: php-fpm runs Roundcube, nginx serves it; they share php-fpm's socket. Roundcube
// reaches Dovecot on its internal IMAP listener (no PROXY header; the public one expects Traefik's)
// and Postfix on the internal submission listener, both with STARTTLS and the mail host's certificate.
// Its own database (settings, contacts) is SQLite on a Longhorn volume. The configuration is the same
// renderer's output the local stack runs (packages/localstack webmail component).

const NS = 'mail-system';
const UID = 33; // www-data in Debian
const HTTP_PORT = 8080;
const SOCKET_DIR = '/run/php';
const DATA_DIR = '/var/lib/roundcube/db';
/** The roots the mail host's certificate is checked against when the ACME CA is not a public one. */
const CA_FILE = '/etc/hostplane/ca.pem';

export function webmailHost(config: BootstrapConfig): string {
  const { hosts } = config.bootstrap;
  return hosts.webmail ?? `webmail.${hosts.panel.slice(hosts.panel.indexOf('.') + 1)}`;
}

/** Roundcube's session key: derived from the panel's sealing key, so rendering stays deterministic. */
function desKey(config: BootstrapConfig): string {
  return createHmac('sha256', config.bootstrap.secrets.panelSecretKey)
    .update('hostplane webmail des_key')
    .digest('base64')
    .slice(0, 24);
}

const PHP_FPM_CONF = `[global]
error_log = /proc/self/fd/2
daemonize = no

[roundcube]
listen = ${SOCKET_DIR}/php-fpm.sock
listen.mode = 0660
pm = dynamic
pm.max_children = 8
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
catch_workers_output = yes
clear_env = no
php_admin_value[upload_max_filesize] = 25M
php_admin_value[post_max_size] = 26M
`;

const NGINX_CONF = `daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log /dev/stdout;
  client_body_temp_path /tmp/body;
  fastcgi_temp_path /tmp/fastcgi;
  server_tokens off;
  client_max_body_size 26m;
  server {
    listen ${HTTP_PORT};
    root /var/lib/roundcube/public_html;
    index index.php;
    location ~ ^/(config|temp|logs|SQL|bin|installer)(/|$) { deny all; }
    location ~ /\\. { deny all; }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param HTTPS on;
      fastcgi_pass unix:${SOCKET_DIR}/php-fpm.sock;
    }
  }
}
`;

export function webmail(
  config: BootstrapConfig,
  ports: { imapPort: number; submission: { serviceName: string; servicePort: number } },
): KubeObject[] {
  const host = webmailHost(config);
  const trustedRoots = config.bootstrap.acme.trustedRootsPem;
  const roundcube = renderRoundcubeConfig({
    target: 'cluster',
    imap: { host: `dovecot.${NS}.svc`, port: ports.imapPort, security: 'starttls' },
    smtp: {
      host: `${ports.submission.serviceName}.${NS}.svc`,
      port: ports.submission.servicePort,
      security: 'starttls',
    },
    // The mail host's certificate (ACME), checked against the image's system CAs, or against the
    // ACME server's own roots when the install names them (acme.trustedRootsPem: a private ACME CA,
    // the local stack's).
    tls: { caFile: trustedRoots ? CA_FILE : null, peerName: config.bootstrap.hosts.mail },
    sqlitePath: `${DATA_DIR}/roundcube.sqlite`,
    tempDir: '/tmp',
    logDir: null,
    behindHttps: true,
  });
  const image = config.bootstrap.systemImages.webmail;
  const mounts = [
    { name: 'config', mountPath: '/etc/roundcube/config.inc.php', subPath: 'config.inc.php', readOnly: true },
    { name: 'socket', mountPath: SOCKET_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  return [
    configMap('webmail-config', NS, 'webmail', {
      'config.inc.php': roundcube,
      'php-fpm.conf': PHP_FPM_CONF,
      'nginx.conf': NGINX_CONF,
      ...(trustedRoots ? { 'ca.pem': trustedRoots } : {}),
    }),
    secret('webmail', NS, 'webmail', { [ROUNDCUBE_KEY_ENV]: desKey(config) }),
    service('webmail', NS, 'webmail', [{ name: 'http', port: 80, targetPort: HTTP_PORT }]),
    workload({
      kind: 'StatefulSet',
      name: 'webmail',
      ns: NS,
      replicas: 1,
      podSecurity: { ...restrictedPod(UID), fsGroup: UID },
      configHash: createHmac('sha256', 'webmail')
        .update(roundcube + PHP_FPM_CONF + NGINX_CONF + (trustedRoots ?? ''))
        .digest('hex')
        .slice(0, 16),
      initContainers: [
        {
          // Roundcube's own schema on first start (Debian ships no initdb script).
          name: 'initdb',
          image,
          command: [
            'php',
            '-r',
            `if (!file_exists('${DATA_DIR}/roundcube.sqlite')) { $db = new PDO('sqlite:${DATA_DIR}/roundcube.sqlite'); $db->exec(file_get_contents('/usr/share/roundcube/SQL/sqlite.initial.sql')); }`,
          ],
          securityContext: restrictedContainer,
          volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
        },
      ],
      containers: [
        {
          name: 'php-fpm',
          image,
          command: ['/usr/sbin/php-fpm8.2', '--nodaemonize', '--fpm-config', '/etc/hostplane/php-fpm.conf'],
          env: [
            envFromSecret(ROUNDCUBE_KEY_ENV, 'webmail', ROUNDCUBE_KEY_ENV),
            env('ROUNDCUBE_CONFIG_DIR', '/etc/roundcube'),
          ],
          securityContext: restrictedContainer,
          volumeMounts: [
            ...mounts,
            {
              name: 'config',
              mountPath: '/etc/hostplane/php-fpm.conf',
              subPath: 'php-fpm.conf',
              readOnly: true,
            },
            ...(trustedRoots
              ? [{ name: 'config', mountPath: CA_FILE, subPath: 'ca.pem', readOnly: true }]
              : []),
            { name: 'data', mountPath: DATA_DIR },
          ],
        },
        {
          name: 'nginx',
          image,
          command: ['/usr/sbin/nginx', '-c', '/etc/hostplane/nginx.conf', '-e', 'stderr'],
          ports: [{ containerPort: HTTP_PORT }],
          securityContext: restrictedContainer,
          readinessProbe: { httpGet: { path: '/', port: HTTP_PORT }, periodSeconds: 10 },
          volumeMounts: [
            ...mounts,
            { name: 'config', mountPath: '/etc/hostplane/nginx.conf', subPath: 'nginx.conf', readOnly: true },
          ],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'webmail-config' } }, ...scratch('socket', 'tmp')],
      claims: [{ name: 'data', size: '1Gi', storageClass: config.storage.storageClass }],
    }),
    tlsIngress(config, 'webmail', NS, host, [{ path: '/', service: 'webmail', port: 80 }]),
  ];
}
