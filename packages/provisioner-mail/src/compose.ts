import path from 'node:path';
import type { Target } from '@hostplane/reconcile';
import { DnsDkimPublication } from './client/dns-publication.ts';
import { KubeDkimSecrets } from './client/kube-secrets-client.ts';
import { MysqlMailDatabase } from './client/mysql-client.ts';
import { LocalMaildirRemover } from './local/maildir-remover.ts';
import { RspamdDkimFiles, rspamdFilesOfStack } from './local/rspamd-files.ts';
import { createMailTarget, type MailTargetDeps } from './target.ts';

export interface MailTargetSettings {
  mailDatabaseUrl: string;
  /** Kubeconfig file for the DKIM Secrets; undefined: in-cluster credentials when `inCluster`. */
  kubeconfig?: string | undefined;
  inCluster?: boolean;
  /** `host:port` of the authoritative DNS asked before a rotated DKIM selector signs. */
  dnsServer?: string | undefined;
  /** The local stack's state folder: Rspamd's key files, send limits and the maildirs live there. */
  localStackDir?: string | undefined;
}

/** The composition root's one call: adapters from settings (read from the environment by the caller). */
export function mailTargetFromSettings(settings: MailTargetSettings): {
  target: Target;
  deps: MailTargetDeps;
} {
  const kube = settings.kubeconfig || settings.inCluster;
  const deps: MailTargetDeps = {
    db: new MysqlMailDatabase({ url: settings.mailDatabaseUrl }),
    dkimSecrets: kube ? KubeDkimSecrets.fromConfig({ kubeconfigFile: settings.kubeconfig }) : null,
    localRspamd: settings.localStackDir
      ? new RspamdDkimFiles(rspamdFilesOfStack(settings.localStackDir))
      : null,
    publication: settings.dnsServer ? new DnsDkimPublication([settings.dnsServer]) : null,
    maildirs: settings.localStackDir
      ? new LocalMaildirRemover(path.join(settings.localStackDir, 'mail', 'vhosts'))
      : null,
  };
  return { target: createMailTarget(deps), deps };
}
