// Plain, typed Kubernetes objects: the pure desired state never imports a Kubernetes SDK
// (the driver lives in packages/provisioner-k8s only). Only the fields we set are typed.

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Labels;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/**
 * What the tenant desired state needs from the platform configuration. The platform config schema
 * (packages/platform/src/config) parses to a type that is assignable to this one, so callers pass
 * the parsed config as is; domain never imports platform (platform depends on domain, not back).
 */
export interface TenantPlatformConfig {
  clusterDomain: string;
  storage: {
    storageClass: string;
    siteVolumeSize: string;
    databaseVolumeSize: string;
    siteVolumeAccessMode: 'ReadWriteOnce' | 'ReadWriteMany';
    pvcMin: string;
  };
  images: {
    nginx: string;
    phpFpm: string;
    wordpress: string;
    mariadb: string;
    /** The customer SFTP pod's image (docs/sftp.md); DEFAULT_SFTP_IMAGE when absent. */
    sftp?: string;
  };
  php: {
    /** `wordpressImage`: WordPress on that PHP version; wordpress sites may choose only such versions. */
    versions: { version: string; image: string; wordpressImage?: string | undefined }[];
    defaultVersion: string;
  };
  publicAddresses: { ipv4: string[]; ipv6: string[] };
  network: { clusterCidrs: string[]; nodeCidrs: string[]; blockedEgressCidrs: string[] };
  namespaces: { ingress: string; monitoring: string; mail: string; panel: string };
  clusterDns: { namespace: string; podLabels: Labels };
  mailSubmissionPort: number;
  metricsPorts: number[];
  ingress: { className: string; webEntrypoint: string; websecureEntrypoint: string; certResolver: string };
  suspendedPage: { namespace: string; service: string; port: number };
  /** The platform's webmail Service in `namespaces.mail` (issue 17); default `webmail`, port 80. */
  webmail?: { service: string; port: number };
  panelIdentity: {
    serviceAccount: string;
    namespace: string;
    tenantClusterRole: string;
    /** The API's service account: bound in each tenant namespace to `tenantReaderClusterRole` (logs, cron runs, dumps). */
    apiServiceAccount?: string;
    tenantReaderClusterRole?: string;
  };
  tenantLimits: {
    maxReplicasPerSite: number;
    containerMaxCpu: string;
    containerMaxMemory: string;
    imageUid: number;
  };
}

/** Per host: true once it resolves (only) to the platform's public addresses; computed by the adapter. */
export type HostResolution = Readonly<Record<string, boolean>>;
