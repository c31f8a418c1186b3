export { applyWithFingerprint, convergeTenant, isManaged, TENANT_KINDS } from './apply.ts';
export {
  type CertificateAttemptsDeps,
  hostsOnResolver,
  passCertificateAttempts,
} from './certificate-attempts.ts';
export { KubeHttpClient, type KubeRequestStats } from './client/kube-client.ts';
export { KubePodExec, type PodExecSession, type PodExecTarget } from './client/pod-exec.ts';
export { type SiteWorkloadWatchSettings, siteWorkloadWatch } from './client/site-watch.ts';
export { type KubernetesTargetSettings, kubernetesTargetFromSettings } from './compose.ts';
export { deleteTenant, describeStuckNamespace } from './delete.ts';
export { isKubeError, KubeError, type KubeErrorCode } from './errors.ts';
export { DnsHostResolver, resolvesToPlatform } from './host-resolver.ts';
export { KINDS, type KindRef, kindRef } from './kinds.ts';
export { kubernetesOutcome } from './outcome.ts';
export { applyReason, objectKey, planTenantChanges, type TenantPlan } from './plan.ts';
export type {
  CertificateAttemptRecords,
  EdgeCertificateProbe,
  HostResolver,
  KubeApi,
  LiveObject,
} from './port.ts';
export type { HostStatus, SiteState, SiteStatus } from './site-status.ts';
export {
  createKubernetesTarget,
  type KubernetesTarget,
  type KubernetesTargetDeps,
  type SiteStatusSink,
} from './target.ts';
export { reclaimReleasedVolumes, startVolumeSweep, type VolumeSweepOptions } from './volume-sweep.ts';
