// Where the local stack's mail services keep their files under `<stateDir>/mail`: one table read by
// the mail components (which write them) and by the mail adapters `serve` uses on the local stack.
import path from 'node:path';

export function mailPathsOf(stateDir: string) {
  const root = path.join(stateDir, 'mail');
  return {
    root,
    mailRoot: path.join(root, 'vhosts'),
    tls: path.join(root, 'tls'),
    postfixConfig: path.join(root, 'postfix', 'etc'),
    postfixQueue: path.join(root, 'postfix', 'spool'),
    postfixData: path.join(root, 'postfix', 'lib'),
    dovecotConfig: path.join(root, 'dovecot', 'etc'),
    dovecotBase: path.join(root, 'dovecot', 'run'),
    dovecotState: path.join(root, 'dovecot', 'lib'),
    rspamdLocalConf: path.join(root, 'rspamd', 'etc'),
    rspamdDb: path.join(root, 'rspamd', 'db'),
    rspamdRun: path.join(root, 'rspamd', 'run'),
    dkimKeys: path.join(root, 'rspamd', 'dkim'),
    dkimSelectorMap: path.join(root, 'rspamd', 'dkim', 'selectors.map'),
    sendLimitsMap: path.join(root, 'rspamd', 'send_limits.map'),
    identityMap: path.join(root, 'rspamd', 'identities.map'),
    redis: path.join(root, 'redis'),
  };
}
