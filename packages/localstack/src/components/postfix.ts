import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { renderPostfix } from '@hostplane/platform';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser, run } from '../users.ts';
import {
  converse,
  ensureMailRoot,
  ensureMailTls,
  MAIL_HOSTNAME,
  mailDirs,
  readonlyMailDb,
  requireRoot,
  tlsFiles,
  writeRenderedFiles,
} from './mail-support.ts';

// Postfix from Debian's package as a second instance: its own config folder, queue_directory and
// data_directory in the state folder. `master -c <dir> -d` stays in the foreground as the pid the
// supervisor records (`postfix start-fg` would keep a shell as that pid). master needs root and
// drops to mail_owner `postfix` for its daemons.

const NAME = 'postfix';
const DAEMON_DIRECTORY = '/usr/lib/postfix/sbin';

export function postfixFiles(ctx: StackContext) {
  const d = mailDirs(ctx);
  const p = ctx.ports;
  return renderPostfix({
    target: 'local',
    hostname: MAIL_HOSTNAME,
    listen: STACK_HOST,
    ports: {
      smtp: p.smtp,
      submission: p.submission,
      smtps: p.smtps,
      internalSubmission: p.internalSubmission,
      reinjection: p.reinjection,
    },
    paths: { configDir: d.postfixConfig, queueDirectory: d.postfixQueue, dataDirectory: d.postfixData },
    mailDb: readonlyMailDb(ctx),
    lmtp: { host: STACK_HOST, port: p.lmtp },
    dovecotAuth: { host: STACK_HOST, port: p.dovecotAuth },
    rspamdMilter: { host: STACK_HOST, port: p.rspamdMilter },
    tls: tlsFiles(ctx),
  });
}

function ehlo(port: number) {
  return converse(STACK_HOST, port, [
    { expect: /^220 /m },
    { send: `EHLO probe.${MAIL_HOSTNAME}\r\n`, expect: /^250 /m },
  ]);
}

export const postfix: Component = {
  name: NAME,
  dependsOn: ['mariadb', 'dovecot', 'rspamd'],
  async prepare(ctx) {
    ensureMailRoot(ctx);
    requireRoot(NAME);
    const d = mailDirs(ctx);
    const owner = await ensureServiceUser('postfix');
    // `postfix check` fills the queue folder with Postfix's owners and modes; the data folder (master.lock,
    // caches) belongs to mail_owner.
    mkdirSync(d.postfixQueue, { recursive: true, mode: 0o755 });
    mkdirSync(d.postfixData, { recursive: true, mode: 0o700 });
    await chownTree(d.postfixData, owner);
    await ensureMailTls(ctx);
    writeRenderedFiles(d.postfixConfig, postfixFiles(ctx), owner);
    // `postfix check` creates the queue and data folders with Postfix's own ownership and modes
    // (post-install create-missing) and fails on a broken configuration.
    await run('/usr/sbin/postfix', ['-c', d.postfixConfig, 'check']);
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: path.join(DAEMON_DIRECTORY, 'master'),
        args: ['-c', mailDirs(ctx).postfixConfig, '-d'],
      },
    ];
  },
  async healthy(ctx) {
    const ports = [ctx.ports.smtp, ctx.ports.submission, ctx.ports.internalSubmission, ctx.ports.reinjection];
    return (await Promise.all(ports.map(ehlo))).every(Boolean);
  },
  address(ctx) {
    const p = ctx.ports;
    return `smtp ${STACK_HOST}:${p.smtp}, submission :${p.submission}, smtps :${p.smtps}, internal submission :${p.internalSubmission}, reinjection :${p.reinjection}`;
  },
};
