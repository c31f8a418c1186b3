import { KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { Target } from '@hostplane/reconcile';
import type { BackupJobLedger } from './port.ts';
import type { BackupSettingsInput } from './settings.ts';
import { createBackupTarget } from './target.ts';

export interface BackupTargetSettings {
  /** The panel's kubeconfig (its service account in a cluster; KUBECONFIG locally). */
  kubeconfig: string;
  ledger: BackupJobLedger;
  settings?: BackupSettingsInput;
}

/** For the composition root (`hostplane serve`): the Backup target from plain settings. */
export function backupTargetFromSettings(settings: BackupTargetSettings): Target {
  return createBackupTarget({
    kube: KubeHttpClient.fromKubeconfigFile(settings.kubeconfig),
    ledger: settings.ledger,
    settings: settings.settings,
  });
}
