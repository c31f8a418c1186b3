import type { KubeObject } from '@hostplane/domain';
import { defaultPanelRbacOptions, type PanelRbacOptions } from './panel-rbac.ts';

const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/part-of': 'hostplane' };

/**
 * The panel's rights in Velero's namespace: its customers' Schedules, Backups and Restores, nothing
 * else (no Secrets, not the BackupStorageLocation's credentials). A Role, so they stop at backup-system.
 */
export function panelBackupRbacManifests(
  backupNamespace = 'backup-system',
  options: PanelRbacOptions = defaultPanelRbacOptions,
): KubeObject[] {
  const name = 'hostplane-panel-backups';
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: backupNamespace, labels },
      rules: [
        {
          apiGroups: ['velero.io'],
          resources: ['schedules', 'backups', 'restores'],
          verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: backupNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace }],
    },
  ];
}
