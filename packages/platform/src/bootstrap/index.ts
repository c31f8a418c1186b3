import type { KubeObject } from '@hostplane/domain';
import { stringify } from 'yaml';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { BACKUP_NAMESPACE, backupSystem } from './backup.ts';
import { DNS_NAMESPACE, dnsSystem } from './dns.ts';
import { INGRESS_NAMESPACE, ingressSystem } from './ingress.ts';
import { MAIL_NAMESPACE, mailSystem } from './mail.ts';
import { MONITORING_NAMESPACE, monitoringSystem } from './monitoring.ts';
import { systemNetworkPolicies } from './network-policies.ts';
import { panelSystem } from './panel.ts';
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
export { clusterDovecotFiles, clusterPostfixFiles, clusterRspamdFiles, INTERNAL_SUBMISSION } from './mail.ts';
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
  order: number;
  namespace: string;
  /** `01-storage-system.yaml` */
  file: string;
  objects: KubeObject[];
}

/** The system namespaces in the order of DESIGN.md §1 (tenants, #8, are the panel's business). */
export function renderBootstrap(config: BootstrapConfig): BootstrapStep[] {
  const steps: [string, (c: BootstrapConfig) => KubeObject[]][] = [
    [STORAGE_NAMESPACE, storageSystem],
    [DNS_NAMESPACE, dnsSystem],
    [MAIL_NAMESPACE, mailSystem],
    [INGRESS_NAMESPACE, ingressSystem],
    [BACKUP_NAMESPACE, backupSystem],
    [MONITORING_NAMESPACE, monitoringSystem],
    [config.panelIdentity.namespace, panelSystem],
  ];
  return steps.map(([namespace, build], index) => {
    const order = index + 1;
    return {
      order,
      namespace,
      file: `${String(order).padStart(2, '0')}-${namespace}.yaml`,
      objects: [...build(config), ...systemNetworkPolicies(config, namespace)],
    };
  });
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
