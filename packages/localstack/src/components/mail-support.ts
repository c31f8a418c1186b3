import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { MailDb, RenderedFile } from '@hostplane/platform';
import type { StackContext } from '../component.ts';
import { mailPathsOf } from '../mail-paths.ts';
import { STACK_HOST } from '../ports.ts';
import { ensureTraversable, run, type ServiceIds } from '../users.ts';
import { MAIL_DB, MAIL_DB_READONLY_USER } from './mariadb.ts';

// Shared by the mail components (redis, rspamd, dovecot, postfix): their folders under
// `<stateDir>/mail`, the read-only DB account, a self-signed certificate, protocol probes.

export const MAIL_HOSTNAME = 'mail.hostplane.test';
export const POSTMASTER_ADDRESS = 'postmaster@hostplane.test';
/** Owner of every maildir; Dovecot's mail processes run as it. */
export const VMAIL_USER = 'hostplane-vmail';

export function mailDirs(ctx: StackContext) {
  return mailPathsOf(ctx.stateDir);
}

/** `<stateDir>/mail` must be walkable by every service user (dovecot, postfix, _rspamd, vmail). */
export function ensureMailRoot(ctx: StackContext): void {
  ensureTraversable(ctx.stateDir, ctx.say);
  const { root } = mailDirs(ctx);
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
}

export function tlsFiles(ctx: StackContext) {
  const dir = mailDirs(ctx).tls;
  return { certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem') };
}

/** What Postfix and Dovecot use to read the mail tables: the read-only account over TCP. */
export function readonlyMailDb(ctx: StackContext): MailDb {
  return {
    host: STACK_HOST,
    port: ctx.ports.mariadb,
    database: MAIL_DB,
    user: MAIL_DB_READONLY_USER,
    password: ctx.secrets.mailDbReadonlyPassword,
  };
}

export function requireRoot(component: string): void {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return;
  throw new Error(
    `${component} needs root to start (Postfix's master and Dovecot drop privileges themselves)`,
  );
}

/** Writes rendered files under `dir` when their text changed; sensitive ones 0640 root:<group>. */
export function writeRenderedFiles(dir: string, files: RenderedFile[], sensitiveGroup?: ServiceIds): void {
  for (const file of files) {
    const target = path.join(dir, file.name);
    mkdirSync(path.dirname(target), { recursive: true });
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current !== file.content) writeFileSync(target, file.content);
    chmodSync(target, file.executable ? 0o755 : file.sensitive ? 0o640 : 0o644);
    if (file.sensitive && sensitiveGroup) chownSync(target, 0, sensitiveGroup.gid);
  }
}

/** A self-signed certificate for STARTTLS/implicit TLS, made once per stack. */
export async function ensureMailTls(ctx: StackContext): Promise<void> {
  const { certPath, keyPath } = tlsFiles(ctx);
  if (existsSync(certPath) && existsSync(keyPath)) return;
  mkdirSync(path.dirname(certPath), { recursive: true, mode: 0o755 });
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    `/CN=${MAIL_HOSTNAME}`,
    '-addext',
    `subjectAltName=DNS:${MAIL_HOSTNAME},IP:${STACK_HOST}`,
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  chmodSync(keyPath, 0o600);
}

export interface ProbeStep {
  /** Sent before waiting for `expect` (nothing for the server's greeting). */
  send?: string;
  /** The complete reply, e.g. /^250 /m for the last line of a multi-line SMTP reply. */
  expect: RegExp;
}

/** Plays a short line-protocol dialogue (SMTP, LMTP, IMAP); true when every reply matches. */
export function converse(
  host: string,
  port: number,
  steps: ProbeStep[],
  quit = 'QUIT\r\n',
  timeoutMs = 2_000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    let index = 0;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const advance = () => {
      const step = steps[index];
      if (!step) return finish(true);
      if (step.send) socket.write(step.send);
    };
    socket.setEncoding('utf8');
    socket.once('connect', advance);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const step = steps[index];
      if (!step?.expect.test(buffer)) return;
      buffer = '';
      index += 1;
      if (index >= steps.length) {
        socket.write(quit, () => finish(true));
        return;
      }
      advance();
    });
    socket.once('error', () => finish(false));
  });
}
