import { mkdirSync } from 'node:fs';
import type { Component } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser } from '../users.ts';
import { converse, ensureMailRoot, mailDirs } from './mail-support.ts';

// Redis for Rspamd (rate-limit buckets, Bayes, history). Nothing in it must survive a restart:
// no snapshots, no append-only file.

const NAME = 'redis';
const SERVICE_USER = 'hostplane-redis';

export const redis: Component = {
  name: NAME,
  dependsOn: [],
  async prepare(ctx) {
    ensureMailRoot(ctx);
    const dir = mailDirs(ctx).redis;
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    await chownTree(dir, await ensureServiceUser(SERVICE_USER));
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: '/usr/bin/redis-server',
        args: [
          '--bind',
          STACK_HOST,
          '--port',
          String(ctx.ports.redis),
          '--dir',
          mailDirs(ctx).redis,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--protected-mode',
          'yes',
          '--logfile',
          '',
          '--maxmemory',
          '64mb',
        ],
        user: SERVICE_USER,
      },
    ];
  },
  healthy(ctx) {
    return converse(STACK_HOST, ctx.ports.redis, [{ send: 'PING\r\n', expect: /^\+PONG\r\n/ }]);
  },
  address(ctx) {
    return `${STACK_HOST}:${ctx.ports.redis}`;
  },
};
