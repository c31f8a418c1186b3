import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig, BootstrapStepName } from '../config/bootstrap-schema.ts';
import { BACKUP_NAMESPACE, backupSystem } from './backup.ts';
import { DNS_NAMESPACE, dnsSystem } from './dns.ts';
import { INGRESS_NAMESPACE, ingressSystem } from './ingress.ts';
import { MAIL_NAMESPACE, mailSystem } from './mail.ts';
import { MONITORING_NAMESPACE, monitoringSystem, scrapeServices } from './monitoring.ts';
import { systemNetworkPolicies } from './network-policies.ts';
import { panelSystem } from './panel.ts';

export { panelPlatformConfigYaml } from './panel.ts';

import { STORAGE_NAMESPACE, storageSystem } from './storage.ts';

// The edge's resolver naming is the tenants' rule (domain), shared with the platform's own renderers.
export { dns01Resolver } from '@hostplane/domain';
export { clusterPdnsConf } from './dns.ts';
export {
  clusterTraefikSettings,
  clusterTraefikYaml,
  INGRESS_NAMESPACE,
  traefikCrds,
  traefikIngressClass,
  traefikRbac,
} from './ingress.ts';
export {
  clusterDovecotFiles,
  clusterPostfixFiles,
  clusterRspamdFiles,
  INTERNAL_SUBMISSION,
  rspamdControllerPassword,
} from './mail.ts';
export {
  MAILDIR_BACKUP_APP,
  MAILDIR_CLAIM,
  maildirBackupCronJob,
  maildirBackupPrefix,
  maildirRestoreJob,
} from './maildir-backup.ts';
export {
  isRemovableMaildir,
  MAILDIR_REMOVER_LABEL,
  type MaildirRemovalJobOptions,
  maildirRemovalJob,
  maildirRemovalJobName,
  panelMailRole,
} from './maildir-removal.ts';
export { PANEL_APPS, systemNetworkPolicies } from './network-policies.ts';
export { SFTP_GATEWAY_SERVICE_ACCOUNT, sftpGateway, sftpGatewayRbac } from './sftp-gateway.ts';

/** One system namespace of DESIGN.md §1, in install order. */
export interface BootstrapStep {
  name: BootstrapStepName;
  order: number;
  namespace: string;
  /** `01-storage-system.yaml` */
  file: string;
  objects: KubeObject[];
}

/** The system namespaces in the order of DESIGN.md §1 (tenants, #8, are the panel's business). */
export function renderBootstrap(config: BootstrapConfig): BootstrapStep[] {
  const steps: [BootstrapStepName, string, (c: BootstrapConfig) => KubeObject[]][] = [
    ['storage', STORAGE_NAMESPACE, storageSystem],
    ['dns', DNS_NAMESPACE, dnsSystem],
    ['mail', MAIL_NAMESPACE, mailSystem],
    ['ingress', INGRESS_NAMESPACE, ingressSystem],
    ['backup', BACKUP_NAMESPACE, backupSystem],
    ['monitoring', MONITORING_NAMESPACE, monitoringSystem],
    ['panel', config.panelIdentity.namespace, panelSystem],
  ];
  // The order numbers stay those of DESIGN.md §1 when only some steps are installed.
  return steps
    .map(([name, namespace, build], index) => ({ name, namespace, build, order: index + 1 }))
    .filter((step) => config.bootstrap.steps.includes(step.name))
    .map(({ name, namespace, build, order }) => ({
      name,
      order,
      namespace,
      file: `${String(order).padStart(2, '0')}-${namespace}.yaml`,
      objects: [
        ...build(config),
        ...systemNetworkPolicies(config, namespace),
        // Prometheus alone (monitoring.mode: prometheus) finds what it scrapes by these Services' names.
        ...scrapeServices(config, namespace),
      ],
    }));
}

/** Multi-document YAML of one step (deterministic: same config, same bytes). */
export function stepToYaml(step: BootstrapStep): string {
  const header = `# Rendered by hostplane bootstrap: step ${step.order}, namespace ${step.namespace}. Do not edit.\n`;
  return header + step.objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('');
}
export {
  BACKUP_NAMESPACE,
  backupSystem,
  storageLocation,
  TENANT_VOLUME_POLICY,
  tenantVolumePolicy,
} from './backup.ts';
export {
  MONITORING_NAMESPACE,
  PROMETHEUS_APP,
  PROMETHEUS_PORT,
  prometheusConfigYaml,
} from './monitoring.ts';
