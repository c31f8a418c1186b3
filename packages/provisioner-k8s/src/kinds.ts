// Where each kind the provisioner manages or reads lives in the REST API (no discovery round trips).

export interface KindRef {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const ref = (apiVersion: string, kind: string, plural: string, namespaced = true): KindRef => ({
  apiVersion,
  kind,
  plural,
  namespaced,
});

export const KINDS = {
  Namespace: ref('v1', 'Namespace', 'namespaces', false),
  RoleBinding: ref('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
  ResourceQuota: ref('v1', 'ResourceQuota', 'resourcequotas'),
  LimitRange: ref('v1', 'LimitRange', 'limitranges'),
  NetworkPolicy: ref('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  ConfigMap: ref('v1', 'ConfigMap', 'configmaps'),
  Secret: ref('v1', 'Secret', 'secrets'),
  PersistentVolumeClaim: ref('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  Service: ref('v1', 'Service', 'services'),
  Deployment: ref('apps/v1', 'Deployment', 'deployments'),
  StatefulSet: ref('apps/v1', 'StatefulSet', 'statefulsets'),
  Middleware: ref('traefik.io/v1alpha1', 'Middleware', 'middlewares'),
  Ingress: ref('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  Pod: ref('v1', 'Pod', 'pods'),
  ReplicaSet: ref('apps/v1', 'ReplicaSet', 'replicasets'),
  Event: ref('v1', 'Event', 'events'),
  ServiceAccount: ref('v1', 'ServiceAccount', 'serviceaccounts'),
  ClusterRole: ref('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: ref('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  ValidatingAdmissionPolicy: ref(
    'admissionregistration.k8s.io/v1',
    'ValidatingAdmissionPolicy',
    'validatingadmissionpolicies',
    false,
  ),
  ValidatingAdmissionPolicyBinding: ref(
    'admissionregistration.k8s.io/v1',
    'ValidatingAdmissionPolicyBinding',
    'validatingadmissionpolicybindings',
    false,
  ),
  StorageClass: ref('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false),
  PersistentVolume: ref('v1', 'PersistentVolume', 'persistentvolumes', false),
  // Velero (backup-system), written by @hostplane/provisioner-backup through this client.
  Schedule: ref('velero.io/v1', 'Schedule', 'schedules'),
  Backup: ref('velero.io/v1', 'Backup', 'backups'),
  Restore: ref('velero.io/v1', 'Restore', 'restores'),
  PodVolumeBackup: ref('velero.io/v1', 'PodVolumeBackup', 'podvolumebackups'),
  PodVolumeRestore: ref('velero.io/v1', 'PodVolumeRestore', 'podvolumerestores'),
  BackupStorageLocation: ref('velero.io/v1', 'BackupStorageLocation', 'backupstoragelocations'),
  // backup-system's platform-backup (`hostplane backup-platform` on a schedule).
  CronJob: ref('batch/v1', 'CronJob', 'cronjobs'),
  Job: ref('batch/v1', 'Job', 'jobs'),
  // `hostplane bootstrap`: k3s helm-controller charts, Traefik TCP routes, namespaced RBAC.
  HelmChart: ref('helm.cattle.io/v1', 'HelmChart', 'helmcharts'),
  IngressRouteTCP: ref('traefik.io/v1alpha1', 'IngressRouteTCP', 'ingressroutetcps'),
  IngressRouteUDP: ref('traefik.io/v1alpha1', 'IngressRouteUDP', 'ingressrouteudps'),
  ServersTransportTCP: ref('traefik.io/v1alpha1', 'ServersTransportTCP', 'serverstransporttcps'),
  Role: ref('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  IngressClass: ref('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', false),
  CustomResourceDefinition: ref(
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
  ),
  DaemonSet: ref('apps/v1', 'DaemonSet', 'daemonsets'),
  // panel-system: workloads with more than one replica keep one through voluntary disruptions.
  PodDisruptionBudget: ref('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
} as const satisfies Record<string, KindRef>;

export type KnownKind = keyof typeof KINDS;

export function kindRef(kind: string): KindRef {
  const found = (KINDS as Record<string, KindRef>)[kind];
  if (!found) throw new Error(`kind ${kind} is not known to the provisioner`);
  return found;
}

/** `/api/v1/namespaces/ns/pods` or `/apis/apps/v1/…`; name optional. */
export function resourcePath(kind: KindRef, namespace: string | null, name?: string): string {
  const root = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  const scope = kind.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${kind.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
