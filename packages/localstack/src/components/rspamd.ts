import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { NETWORK_MODULES, renderRspamd } from '@hostplane/platform';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';
import { chownTree, ensureServiceUser } from '../users.ts';
import { ensureMailRoot, mailDirs, writeRenderedFiles } from './mail-support.ts';

// Rspamd from Debian's package: the packaged /etc/rspamd/rspamd.conf with $LOCAL_CONFDIR pointing at
// the rendered local.d (the same files the cluster mounts as a ConfigMap), its databases and pid
// file inside the state folder. It runs as the package's `_rspamd` user.

const NAME = 'rspamd';
const SERVICE_USER = '_rspamd';
/** Small enough that a test can show a burst being held back; the cluster's limit comes from the platform config. */
const LOCAL_USER_RATE = { perHour: 100, burst: 10 };

export function rspamdFiles(ctx: StackContext) {
  const d = mailDirs(ctx);
  return renderRspamd({
    target: 'local',
    listen: STACK_HOST,
    ports: {
      milter: ctx.ports.rspamdMilter,
      normal: ctx.ports.rspamdNormal,
      controller: ctx.ports.rspamdController,
    },
    redis: { host: STACK_HOST, port: ctx.ports.redis },
    dkim: { keysDir: d.dkimKeys, selectorMap: d.dkimSelectorMap },
    userRateLimit: { ...LOCAL_USER_RATE, limitsMap: d.sendLimitsMap },
    identityMap: d.identityMap,
    disabledModules: [...NETWORK_MODULES],
    hyperscan: false,
    mapWatchIntervalSeconds: 10,
    // Each worker logs the maps it re-reads; tests wait for that line (waitForRspamdMap).
    logLevel: 'info',
  });
}

export const rspamd: Component = {
  name: NAME,
  dependsOn: ['redis'],
  async prepare(ctx) {
    ensureMailRoot(ctx);
    const d = mailDirs(ctx);
    for (const dir of [d.rspamdLocalConf, d.rspamdDb, d.rspamdRun, d.dkimKeys])
      mkdirSync(dir, { recursive: true });
    writeRenderedFiles(d.rspamdLocalConf, rspamdFiles(ctx));
    // The mail provisioner writes `domain selector` lines and <domain>.<selector>.key files here
    // (the local stand-in of the cluster's DKIM Secrets); Rspamd re-reads the map when it changes.
    if (!existsSync(d.dkimSelectorMap)) writeFileSync(d.dkimSelectorMap, '');
    // `address messages-per-hour` lines (virtual_users.send_limit_per_hour), also re-read on change.
    if (!existsSync(d.sendLimitsMap)) writeFileSync(d.sendLimitsMap, '');
    // Who may send as what (logins and domains → customer, forwarding aliases → limit), also re-read.
    if (!existsSync(d.identityMap)) writeFileSync(d.identityMap, '');
    const ids = await ensureServiceUser(SERVICE_USER);
    for (const dir of [d.rspamdDb, d.rspamdRun, d.dkimKeys]) await chownTree(dir, ids);
  },
  processes(ctx) {
    const d = mailDirs(ctx);
    return [
      {
        name: NAME,
        command: '/usr/bin/rspamd',
        args: [
          '-f',
          '-c',
          '/etc/rspamd/rspamd.conf',
          '--var',
          `LOCAL_CONFDIR=${d.rspamdLocalConf}`,
          '--var',
          `DBDIR=${d.rspamdDb}`,
          '--var',
          `RUNDIR=${d.rspamdRun}`,
          '--var',
          `LOGDIR=${d.rspamdRun}`,
        ],
        user: SERVICE_USER,
      },
    ];
  },
  async healthy(ctx) {
    try {
      const response = await fetch(`http://${STACK_HOST}:${ctx.ports.rspamdController}/ping`, {
        signal: AbortSignal.timeout(2_000),
      });
      return response.ok && (await response.text()).trim() === 'pong';
    } catch {
      return false;
    }
  },
  address(ctx) {
    const p = ctx.ports;
    return `${STACK_HOST}:${p.rspamdMilter} (milter), controller http://${STACK_HOST}:${p.rspamdController}`;
  },
};
