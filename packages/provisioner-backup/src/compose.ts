import { KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { Target } from '@hostplane/reconcile';
import type { DnsArchive } from './dns-archive.ts';
import type { MailArchive } from './mail-archive.ts';
import type { BackupJobLedger } from './port.ts';
import type { BackupSettingsInput } from './settings.ts';
import { createBackupTarget } from './target.ts';

export interface BackupTargetSettings {
  /** The panel's kubeconfig (KUBECONFIG locally); absent inside a pod: the service account's token. */
  kubeconfig?: string | undefined;
  ledger: BackupJobLedger;
  settings?: BackupSettingsInput;
  mail?: MailArchive | null;
  dns?: DnsArchive | null;
}

/** For the composition root (`hostplane serve`): the Backup target from plain settings. */
export function backupTargetFromSettings(settings: BackupTargetSettings): Target {
  return createBackupTarget({
    kube: settings.kubeconfig
      ? KubeHttpClient.fromKubeconfigFile(settings.kubeconfig)
      : KubeHttpClient.inCluster(),
    ledger: settings.ledger,
    settings: settings.settings,
    mail: settings.mail ?? null,
    dns: settings.dns ?? null,
  });
}
