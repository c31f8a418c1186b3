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
        // The bytes a backup moved (stats.volumeBytes): read only.
        { apiGroups: ['velero.io'], resources: ['podvolumebackups'], verbs: ['get', 'list'] },
        // A failed backup is made again once the node agent runs (provisioner-backup, retries): read only.
        { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: ['node-agent'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: backupNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace }],
    },
    ...veleroTenantPolicy(backupNamespace, options),
  ];
}

export const VELERO_POLICY_NAME = 'hostplane-panel-velero-scope';

/**
 * RBAC lets the panel write any Schedule, Backup or Restore in Velero's namespace, and Velero runs
 * them with its own wide rights: a Backup of every namespace, a Restore with a namespace mapping
 * into kube-system. This policy holds each object the panel writes to one tenant: its namespace
 * cust-{customer-id} exactly (from the object's own customer-id label), the tenant label selector,
 * no cluster-scoped resources, no namespace mapping, a Restore only of that tenant's backups.
 */
export function veleroTenantPolicy(
  backupNamespace: string,
  options: PanelRbacOptions = defaultPanelRbacOptions,
): KubeObject[] {
  const user = `system:serviceaccount:${options.namespace}:${options.serviceAccount}`;
  const prefix = options.tenantNamespacePrefix;
  const spec = 'variables.spec';
  const own = `'${prefix}' + object.metadata.labels['customer-id']`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: VELERO_POLICY_NAME, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['velero.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['backups', 'restores', 'schedules'],
            },
          ],
        },
        matchConditions: [{ name: 'is-panel', expression: `request.userInfo.username == '${user}'` }],
        variables: [
          {
            name: 'spec',
            expression: "request.resource.resource == 'schedules' ? object.spec.template : object.spec",
          },
        ],
        validations: [
          {
            expression: `request.namespace == '${backupNamespace}'`,
            message: `Velero objects of the panel live in ${backupNamespace}`,
          },
          {
            expression:
              "has(object.metadata.labels) && 'customer-id' in object.metadata.labels && object.metadata.labels['customer-id'].matches('^[0-9]+$')",
            message: 'a Velero object of the panel carries its customer-id label',
          },
          {
            expression: `has(${spec}.includedNamespaces) && ${spec}.includedNamespaces.size() == 1 && ${spec}.includedNamespaces[0] == ${own}`,
            message: `includedNamespaces must be exactly the tenant's own namespace ${prefix}{customer-id}`,
          },
          {
            expression: `!has(${spec}.excludedNamespaces) || ${spec}.excludedNamespaces.size() == 0`,
            message: 'no excludedNamespaces: the one tenant namespace is included',
          },
          {
            expression: `!has(${spec}.includeClusterResources) || ${spec}.includeClusterResources == false`,
            message: 'no cluster-scoped resources (includeClusterResources)',
          },
          {
            expression: `!has(${spec}.includedClusterScopedResources) || ${spec}.includedClusterScopedResources.size() == 0`,
            message: 'no cluster-scoped resources (includedClusterScopedResources)',
          },
          {
            expression: `has(${spec}.labelSelector) && has(${spec}.labelSelector.matchLabels) && ${spec}.labelSelector.matchLabels == {'tenant': 'true'} && !has(${spec}.labelSelector.matchExpressions) && !has(${spec}.orLabelSelectors)`,
            message: 'the label selector is exactly tenant=true',
          },
          {
            expression:
              "request.resource.resource != 'restores' || !has(object.spec.namespaceMapping) || object.spec.namespaceMapping.size() == 0",
            message: 'a Restore of the panel maps no namespaces',
          },
          {
            expression: `request.resource.resource != 'restores' || object.spec.backupName.startsWith(${own} + '-')`,
            message: "a Restore of the panel names one of the tenant's own backups",
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: VELERO_POLICY_NAME, labels },
      spec: { policyName: VELERO_POLICY_NAME, validationActions: ['Deny'] },
    },
  ];
}
