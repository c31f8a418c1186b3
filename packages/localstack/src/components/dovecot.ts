import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { renderDovecot, SPAM_LEARNING_FILES } from '@hostplane/platform';
import { migrateMailDb } from '@hostplane/provisioner-mail';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser, run, type ServiceIds } from '../users.ts';
import {
  converse,
  ensureMailRoot,
  ensureMailTls,
  MAIL_HOSTNAME,
  mailDirs,
  POSTMASTER_ADDRESS,
  readonlyMailDb,
  requireRoot,
  tlsFiles,
  VMAIL_USER,
  writeRenderedFiles,
} from './mail-support.ts';
import { mailDatabaseUrl } from './mariadb.ts';

// Dovecot from Debian's packages as a second instance: `dovecot -F -c <conf>` with its own base_dir
// and state_dir, IMAP/POP3/LMTP and the SASL auth service on the stack's ports, users from the mail
// database. The master starts as root and drops to dovecot/dovenull/hostplane-vmail.

const NAME = 'dovecot';

/** The spam-learning program and its IMAPSieve scripts (sieve_pipe_bin_dir): nothing else lives there. */
function learnDir(ctx: StackContext): string {
  return path.join(mailDirs(ctx).dovecotConfig, 'learn');
}

function configPath(ctx: StackContext): string {
  return path.join(mailDirs(ctx).dovecotConfig, 'dovecot.conf');
}

export function dovecotFiles(ctx: StackContext, vmail: Pick<ServiceIds, 'uid' | 'gid'>) {
  const d = mailDirs(ctx);
  const p = ctx.ports;
  return renderDovecot({
    target: 'local',
    listen: STACK_HOST,
    ports: { imap: p.imap, pop3: p.pop3, lmtp: p.lmtp, auth: p.dovecotAuth, managesieve: p.managesieve },
    paths: {
      baseDir: d.dovecotBase,
      stateDir: d.dovecotState,
      mailRoot: d.mailRoot,
      sqlConfig: path.join(d.dovecotConfig, 'dovecot-sql.conf.ext'),
    },
    mailUser: { uid: vmail.uid, gid: vmail.gid, group: VMAIL_USER },
    mailDb: readonlyMailDb(ctx),
    postmasterAddress: POSTMASTER_ADDRESS,
    doveadm: { port: p.doveadmHttp, apiKey: ctx.secrets.doveadmApiKey },
    sieve: {
      submission: { host: STACK_HOST, port: p.reinjection },
      dictConfig: path.join(d.dovecotConfig, 'dovecot-dict-sieve.conf.ext'),
    },
    // Loopback needs no controller password (Rspamd's secure_ip).
    spamLearning: {
      controller: { host: STACK_HOST, port: p.rspamdController },
      passwordFile: null,
      dir: learnDir(ctx),
    },
    tls: { ...tlsFiles(ctx), dhPath: '/usr/share/dovecot/dh.pem' },
  });
}

export const dovecot: Component = {
  name: NAME,
  dependsOn: ['mariadb'],
  async prepare(ctx) {
    ensureMailRoot(ctx);
    requireRoot(NAME);
    // The schema Postfix and Dovecot read; mariadb's afterHealthy made the database and accounts.
    const { applied } = await migrateMailDb(mailDatabaseUrl(ctx));
    if (applied.length > 0) ctx.say(`  ${NAME}: mail schema migrations applied: ${applied.join(', ')}`);
    const d = mailDirs(ctx);
    const vmail = await ensureServiceUser(VMAIL_USER);
    const internal = await ensureServiceUser('dovecot');
    if (!vmail || !internal) throw new Error(`${NAME}: users ${VMAIL_USER} and dovecot are needed`);
    mkdirSync(d.mailRoot, { recursive: true, mode: 0o770 });
    await chownTree(d.mailRoot, vmail);
    for (const dir of [d.dovecotConfig, d.dovecotBase, d.dovecotState]) mkdirSync(dir, { recursive: true });
    await ensureMailTls(ctx);
    const files = dovecotFiles(ctx, vmail);
    const learning = (name: string) => (SPAM_LEARNING_FILES as readonly string[]).includes(name);
    writeRenderedFiles(
      d.dovecotConfig,
      files.filter((f) => !learning(f.name)),
      internal,
    );
    mkdirSync(learnDir(ctx), { recursive: true });
    writeRenderedFiles(
      learnDir(ctx),
      files.filter((f) => learning(f.name)),
    );
    // Fails with Dovecot's own message on a setting it does not accept.
    await run('doveconf', ['-c', configPath(ctx), '-n']);
    // Compiled here (root owns the folder), so IMAP processes running as the mail user need not save
    // the binaries themselves.
    for (const script of files.filter((f) => learning(f.name) && f.name.endsWith('.sieve'))) {
      await run('sievec', ['-c', configPath(ctx), path.join(learnDir(ctx), script.name)]);
    }
  },
  processes(ctx) {
    return [{ name: NAME, command: '/usr/sbin/dovecot', args: ['-F', '-c', configPath(ctx)] }];
  },
  async healthy(ctx) {
    const imap = converse(STACK_HOST, ctx.ports.imap, [{ expect: /^\* OK/ }], 'a LOGOUT\r\n');
    const lmtp = converse(STACK_HOST, ctx.ports.lmtp, [
      { expect: /^220 / },
      { send: `LHLO ${MAIL_HOSTNAME}\r\n`, expect: /^250 /m },
    ]);
    const auth = converse(
      STACK_HOST,
      ctx.ports.dovecotAuth,
      [{ send: 'VERSION\t1\t1\nCPID\t1\n', expect: /^DONE$/m }],
      '',
    );
    const sieve = converse(STACK_HOST, ctx.ports.managesieve, [{ expect: /^OK /m }], 'LOGOUT\r\n');
    return (await Promise.all([imap, lmtp, auth, sieve])).every(Boolean);
  },
  address(ctx) {
    const p = ctx.ports;
    return `imap ${STACK_HOST}:${p.imap}, pop3 :${p.pop3}, lmtp :${p.lmtp}, auth :${p.dovecotAuth}, managesieve :${p.managesieve}`;
  },
};
