import type { Target } from '@hostplane/reconcile';
import { DnsDkimPublication } from './client/dns-publication.ts';
import { KubeMaildirJobs } from './client/kube-maildir-jobs.ts';
import { KubeRspamdMaps } from './client/kube-rspamd-maps.ts';
import { KubeDkimSecrets } from './client/kube-secrets-client.ts';
import { MysqlMailDatabase } from './client/mysql-client.ts';
import type { LocalMailAdapters } from './port.ts';
import { createMailTarget, type MailTargetDeps } from './target.ts';

export interface MailTargetSettings {
  mailDatabaseUrl: string;
  /** Kubeconfig file for the DKIM Secrets; undefined: in-cluster credentials when `inCluster`. */
  kubeconfig?: string | undefined;
  inCluster?: boolean;
  /** `host:port` of the authoritative DNS asked before a rotated DKIM selector signs. */
  dnsServer?: string | undefined;
  /**
   * On the local stack: its adapters for Rspamd's key files and maps and for the maildirs
   * (packages/localstack `localMailAdapters`, wired in by `serve`). Undefined in the cluster.
   */
  local?: LocalMailAdapters | undefined;
  /** In the cluster: the image of the Jobs that remove deleted mailboxes' maildirs (images.maildirRemover). */
  maildirRemovalImage?: string | undefined;
  /** The panel's SECRET_KEY: opens the DKIM private keys the API sealed. */
  secretKey?: string | undefined;
}

function maildirRemover(settings: MailTargetSettings, kube: boolean) {
  if (settings.local) return settings.local.maildirs;
  if (kube && settings.maildirRemovalImage) {
    return KubeMaildirJobs.fromConfig({
      kubeconfigFile: settings.kubeconfig,
      image: settings.maildirRemovalImage,
    });
  }
  return null;
}

/** The composition root's one call: adapters from settings (read from the environment by the caller). */
export function mailTargetFromSettings(settings: MailTargetSettings): {
  target: Target;
  deps: MailTargetDeps;
} {
  const kube = Boolean(settings.kubeconfig || settings.inCluster);
  const deps: MailTargetDeps = {
    db: new MysqlMailDatabase({ url: settings.mailDatabaseUrl }),
    dkimSecrets: kube ? KubeDkimSecrets.fromConfig({ kubeconfigFile: settings.kubeconfig }) : null,
    localRspamd: settings.local?.rspamd ?? null,
    publication: settings.dnsServer ? new DnsDkimPublication([settings.dnsServer]) : null,
    maildirs: maildirRemover(settings, kube),
    secretKey: settings.secretKey,
    // Locally the files above; in the cluster the ConfigMap Rspamd mounts.
    rspamdMaps:
      !settings.local && kube ? KubeRspamdMaps.fromConfig({ kubeconfigFile: settings.kubeconfig }) : null,
  };
  return { target: createMailTarget(deps), deps };
}
