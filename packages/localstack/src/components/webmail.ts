import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROUNDCUBE_KEY_ENV, renderRoundcubeConfig } from '@hostplane/platform';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser, run } from '../users.ts';
import { MAIL_HOSTNAME, tlsFiles } from './mail-support.ts';

// Webmail (issue 17): Roundcube from Debian's roundcube-core, served by php-fpm and nginx (both from
// Debian) on loopback, as the service user `hostplane-webmail`. Its configuration is the platform's
// renderer output (the cluster's ConfigMap holds the same file); its own database is SQLite in the
// state folder. It logs in to the stack's Dovecot (IMAP, STARTTLS) and sends through the submission
// port (STARTTLS, SASL) with the mailbox's credentials, checking the stack's mail certificate.

const NAME = 'webmail';
const SERVICE_USER = 'hostplane-webmail';
/** Debian's Roundcube: the web root and the program (public_html links into /usr/share/roundcube). */
const ROUNDCUBE_ROOT = '/var/lib/roundcube/public_html';
const ROUNDCUBE_SHARE = '/usr/share/roundcube';
const DEBIAN_CONFIG = '/etc/roundcube';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return {
    root,
    config: path.join(root, 'config'),
    temp: path.join(root, 'temp'),
    logs: path.join(root, 'logs'),
    db: path.join(root, 'db'),
    run: path.join(root, 'run'),
    nginxTemp: path.join(root, 'nginx'),
    key: path.join(root, 'des_key'),
  };
}

export function webmailUrl(ctx: StackContext): string {
  return `http://${STACK_HOST}:${ctx.ports.webmail}`;
}

function roundcubeConfig(ctx: StackContext): string {
  const d = dirs(ctx);
  return renderRoundcubeConfig({
    target: 'local',
    imap: { host: STACK_HOST, port: ctx.ports.imap, security: 'starttls' },
    smtp: { host: STACK_HOST, port: ctx.ports.submission, security: 'starttls' },
    // The stack's mail certificate is self-signed: it is its own CA.
    tls: { caFile: tlsFiles(ctx).certPath, peerName: MAIL_HOSTNAME },
    sqlitePath: path.join(d.db, 'roundcube.sqlite'),
    tempDir: d.temp,
    logDir: d.logs,
    behindHttps: false,
  });
}

function phpFpmConf(ctx: StackContext, desKey: string): string {
  const d = dirs(ctx);
  return `; Rendered by the local stack. php-fpm for Roundcube, in the foreground.
[global]
pid = ${d.run}/php-fpm.pid
error_log = ${d.logs}/php-fpm.log
daemonize = no

[roundcube]
listen = ${d.run}/php-fpm.sock
listen.mode = 0600
pm = ondemand
pm.max_children = 4
pm.process_idle_timeout = 60s
catch_workers_output = yes
clear_env = yes
env[${ROUNDCUBE_KEY_ENV}] = ${desKey}
env[ROUNDCUBE_CONFIG_DIR] = ${d.config}
php_admin_value[upload_max_filesize] = 25M
php_admin_value[post_max_size] = 26M
php_admin_value[session.save_path] = ${d.temp}
`;
}

function nginxConf(ctx: StackContext): string {
  const d = dirs(ctx);
  return `# Rendered by the local stack. nginx in front of Roundcube's php-fpm.
daemon off;
worker_processes 1;
pid ${d.run}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${d.nginxTemp}/body;
  fastcgi_temp_path ${d.nginxTemp}/fastcgi;
  proxy_temp_path ${d.nginxTemp}/proxy;
  uwsgi_temp_path ${d.nginxTemp}/uwsgi;
  scgi_temp_path ${d.nginxTemp}/scgi;
  server_tokens off;
  client_max_body_size 26m;
  server {
    listen ${STACK_HOST}:${ctx.ports.webmail};
    root ${ROUNDCUBE_ROOT};
    index index.php;
    location ~ ^/(config|temp|logs|SQL|bin|installer)(/|$) { deny all; }
    location ~ /\\. { deny all; }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass unix:${d.run}/php-fpm.sock;
    }
  }
}
`;
}

function desKey(ctx: StackContext): string {
  const file = dirs(ctx).key;
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function link(target: string, at: string): void {
  if (!existsSync(at)) symlinkSync(target, at);
}

export const webmail: Component = {
  name: NAME,
  dependsOn: ['dovecot', 'postfix'],
  async prepare(ctx) {
    const d = dirs(ctx);
    for (const dir of [d.root, d.config, d.temp, d.logs, d.db, d.run, d.nginxTemp])
      mkdirSync(dir, { recursive: true });
    chmodSync(d.root, 0o750);
    // Debian's defaults and MIME table beside our config.inc.php (Roundcube reads all from one folder).
    link(path.join(DEBIAN_CONFIG, 'defaults.inc.php'), path.join(d.config, 'defaults.inc.php'));
    link(path.join(DEBIAN_CONFIG, 'mimetypes.php'), path.join(d.config, 'mimetypes.php'));
    writeFileSync(path.join(d.config, 'config.inc.php'), roundcubeConfig(ctx));
    const key = desKey(ctx);
    writeFileSync(path.join(d.root, 'php-fpm.conf'), phpFpmConf(ctx, key), { mode: 0o600 });
    writeFileSync(path.join(d.root, 'nginx.conf'), nginxConf(ctx));
    const ids = await ensureServiceUser(SERVICE_USER);
    await chownTree(d.root, ids);
    const database = path.join(d.db, 'roundcube.sqlite');
    if (!existsSync(database)) {
      // Roundcube's own schema file (Debian ships no initdb.sh), as its service user: the file is theirs.
      const schema = path.join(ROUNDCUBE_SHARE, 'SQL', 'sqlite.initial.sql');
      const script = `$db = new PDO('sqlite:${database}'); $db->exec(file_get_contents('${schema}'));`;
      const asUser = ids ? ['runuser', '-u', SERVICE_USER, '--'] : [];
      const [command, ...args] = [...asUser, 'php', '-r', script];
      await run(command as string, args);
    }
  },
  processes(ctx) {
    const d = dirs(ctx);
    return [
      {
        name: `${NAME}-php`,
        command: '/usr/sbin/php-fpm8.2',
        args: ['--nodaemonize', '--force-stderr', '--fpm-config', path.join(d.root, 'php-fpm.conf')],
        user: SERVICE_USER,
      },
      {
        name: NAME,
        command: '/usr/sbin/nginx',
        args: ['-c', path.join(d.root, 'nginx.conf'), '-e', 'stderr'],
        user: SERVICE_USER,
      },
    ];
  },
  healthy(ctx) {
    // The login page, rendered by PHP: nginx and php-fpm both answer.
    return new Promise((resolve) => {
      const req = http.get(`${webmailUrl(ctx)}/`, { timeout: 2_000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('rcmloginuser')));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
  },
  address(ctx) {
    return webmailUrl(ctx);
  },
};
