import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { kubeconfigPath } from './kube-access.ts';
import { postgresUrl } from './postgres.ts';

// The SFTP gateway (docs/sftp.md) as a host process, like the API under `npm start`: `hostplane
// sftp-gateway` against the stack's panel database and apiserver, on SFTP_ADDR. Its host keys are
// made once (ssh-keygen) and kept, so clients' known_hosts stay valid across restarts.

const run = promisify(execFile);
const NAME = 'sftp';

export function sftpHostKeyFiles(stateDir: string): string[] {
  return ['ed25519', 'rsa'].map((type) => path.join(stateDir, NAME, `ssh_host_${type}_key`));
}

export function sftpAddress(ctx: Pick<StackContext, 'ports'>): string {
  return `${STACK_HOST}:${ctx.ports.sftp}`;
}

/** True when something on host:port greets with an SSH identification line. */
function sshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let seen = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\n')) done(seen.startsWith('SSH-2.0-'));
    });
  });
}

export const sftp: Component = {
  name: NAME,
  dependsOn: ['postgres', 'kube-apiserver'],
  async prepare(ctx) {
    mkdirSync(path.join(ctx.stateDir, NAME), { recursive: true, mode: 0o700 });
    const [ed25519, rsa] = sftpHostKeyFiles(ctx.stateDir) as [string, string];
    if (!existsSync(ed25519))
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hostplane-sftp', '-f', ed25519]);
    if (!existsSync(rsa))
      await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', '', '-C', 'hostplane-sftp', '-f', rsa]);
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: process.execPath,
        args: [path.join(ctx.repoRoot, 'apps/cli/bin/hostplane.js'), 'sftp-gateway'],
        cwd: ctx.repoRoot,
        env: {
          DATABASE_URL: postgresUrl(ctx),
          KUBECONFIG: kubeconfigPath(ctx.stateDir, 'admin'),
          SFTP_LISTEN: sftpAddress(ctx),
          SFTP_HOST_KEYS: sftpHostKeyFiles(ctx.stateDir).join(','),
          LOG_LEVEL: 'info',
        },
      },
    ];
  },
  healthy(ctx) {
    return sshBanner(STACK_HOST, ctx.ports.sftp);
  },
  address(ctx) {
    return sftpAddress(ctx);
  },
};
