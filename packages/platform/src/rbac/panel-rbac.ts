import type { KubeObject } from '@hostplane/domain';

export interface PanelRbacOptions {
  namespace: string; // panel-system
  /** The worker's identity (deploy/panel-worker): the reconciler's Kubernetes rights. */
  serviceAccount: string; // hostplane-panel
  /**
   * The API's identity (deploy/panel): no cluster-wide rights; in each tenant namespace the worker
   * binds it to the reader role (a site's logs, cron runs, the database Service for dumps).
   */
  apiServiceAccount?: string; // hostplane-panel-api
  tenantClusterRole: string; // hostplane-tenant
  /** What the API may read inside one tenant namespace (bound per namespace by the worker). */
  tenantReaderClusterRole?: string; // hostplane-tenant-reader
  tenantNamespacePrefix: string; // cust-
}

export const defaultPanelRbacOptions: PanelRbacOptions = {
  namespace: 'panel-system',
  serviceAccount: 'hostplane-panel',
  apiServiceAccount: 'hostplane-panel-api',
  tenantClusterRole: 'hostplane-tenant',
  tenantReaderClusterRole: 'hostplane-tenant-reader',
  tenantNamespacePrefix: 'cust-',
};

const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/part-of': 'hostplane' };
const WRITE = ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'];
const READ = ['get', 'list', 'watch'];

/**
 * What the panel may do inside one tenant namespace. A ClusterRole only as a template: it is bound
 * per namespace by the RoleBinding the reconciler creates with the namespace, so the panel can
 * read Secrets in cust-* namespaces and nowhere else (not kube-system, not mail-system).
 */
export function tenantClusterRole(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: options.tenantClusterRole, labels },
    rules: [
      {
        apiGroups: [''],
        resources: [
          'configmaps',
          'persistentvolumeclaims',
          'resourcequotas',
          'limitranges',
          'secrets',
          'services',
        ],
        verbs: WRITE,
      },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: WRITE },
      // A site's cron jobs (issue 16).
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: WRITE },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE },
      { apiGroups: ['traefik.io'], resources: ['middlewares'], verbs: WRITE },
      // Status observation only.
      { apiGroups: [''], resources: ['pods', 'events'], verbs: READ },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
      // A cron job's last runs: its Jobs, their pods' exit codes and log tails; a site's logs.
      { apiGroups: ['batch'], resources: ['jobs'], verbs: READ },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
    ],
  };
}

/**
 * What the API reads live inside one tenant namespace, and nothing else: a site's web pods and
 * their logs (GET …/sites/{name}/logs, follow included), a cron job's Jobs and their pods' log
 * tails (…/cronjobs), and the customer's MariaDB Service address (database export/import, which
 * then speaks SQL as the database's owner). No Secrets, no writes. A ClusterRole only as a template:
 * the worker binds it per cust-* namespace (RoleBinding hostplane-panel-api), so the API reads no
 * other namespace.
 */
export function tenantReaderClusterRole(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: options.tenantReaderClusterRole ?? 'hostplane-tenant-reader', labels },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: READ },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    ],
  };
}

/**
 * Cluster-wide, the panel needs only: tenant namespaces themselves, the per-namespace RoleBinding
 * that hands it the tenant role (bind is limited to that one role), access reviews to know when
 * that binding has taken effect, and list/watch (no get, no write) on Deployments and pods for the
 * worker's site watch. The admission policy below keeps the writes to cust-*.
 */
export function panelClusterRole(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'hostplane-panel', labels },
    rules: [
      {
        apiGroups: [''],
        resources: ['namespaces'],
        verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
      },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: WRITE },
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        verbs: ['bind'],
        resourceNames: [
          options.tenantClusterRole,
          ...(options.apiServiceAccount
            ? [options.tenantReaderClusterRole ?? 'hostplane-tenant-reader']
            : []),
        ],
      },
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
      // The released-volume sweep: read volumes, switch a released tenant volume to Delete (the
      // admission policy below allows nothing else).
      { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'patch'] },
      // The worker's watch on sites (one label-selected list+watch per kind for the whole cluster, not
      // one per tenant namespace): a pod turning unready shows in the site's status at once. RBAC
      // cannot limit a watch by label, so this reads the Deployments and pods of every namespace;
      // it is read-only (no pods/log, no exec, no Secrets), docs/install.md "RBAC" weighs it.
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    ],
  };
}

function panelServiceAccount(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: options.serviceAccount, namespace: options.namespace, labels },
    automountServiceAccountToken: true,
  };
}

/**
 * The API writes nothing to Kubernetes (it writes desired state and the outbox; DESIGN §2). Its
 * token is mounted for the live reads of tenantReaderClusterRole, which the worker binds only in
 * cust-* namespaces: cluster-wide the account is bound to nothing.
 */
export function panelApiServiceAccount(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: options.apiServiceAccount ?? 'hostplane-panel-api',
      namespace: options.namespace,
      labels,
    },
    automountServiceAccountToken: true,
  };
}

function panelClusterRoleBinding(options: PanelRbacOptions): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'hostplane-panel', labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hostplane-panel' },
    subjects: [{ kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace }],
  };
}

/**
 * RBAC cannot scope namespace and RoleBinding writes by name pattern, so a compromised panel could
 * bind the tenant role in kube-system. This policy closes that: the panel's service account may
 * only write namespaces named cust-* and RoleBindings inside them.
 */
export function panelScopePolicy(options: PanelRbacOptions): KubeObject[] {
  const user = `system:serviceaccount:${options.namespace}:${options.serviceAccount}`;
  const prefix = options.tenantNamespacePrefix;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'hostplane-panel-tenant-scope', labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['namespaces'],
            },
            {
              apiGroups: ['rbac.authorization.k8s.io'],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['rolebindings'],
            },
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['persistentvolumes'],
            },
          ],
        },
        matchConditions: [{ name: 'is-panel', expression: `request.userInfo.username == '${user}'` }],
        validations: [
          {
            expression: `request.resource.resource == 'persistentvolumes' || (request.resource.resource == 'namespaces' ? request.name.startsWith('${prefix}') : request.namespace.startsWith('${prefix}'))`,
            message: `the panel may only manage namespaces named ${prefix}* and RoleBindings inside them`,
          },
          {
            expression: `request.resource.resource != 'persistentvolumes' || (request.operation == 'UPDATE' && has(oldObject.status.phase) && oldObject.status.phase == 'Released' && has(oldObject.spec.claimRef) && oldObject.spec.claimRef.namespace.startsWith('${prefix}') && object.spec.persistentVolumeReclaimPolicy == 'Delete')`,
            message: `the panel may only switch released volumes of ${prefix}* namespaces to reclaimPolicy Delete`,
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'hostplane-panel-tenant-scope', labels },
      spec: { policyName: 'hostplane-panel-tenant-scope', validationActions: ['Deny'] },
    },
  ];
}

/** Everything to apply (as cluster admin, at bootstrap) for the panel's identity, in apply order. */
export function panelRbacManifests(options: PanelRbacOptions = defaultPanelRbacOptions): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: options.namespace,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    panelServiceAccount(options),
    panelApiServiceAccount(options),
    tenantClusterRole(options),
    ...(options.apiServiceAccount ? [tenantReaderClusterRole(options)] : []),
    panelClusterRole(options),
    panelClusterRoleBinding(options),
    ...panelScopePolicy(options),
  ];
}
